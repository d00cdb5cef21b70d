/** A TCP proxy in front of a real service, which a test can take down and bring back. */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  /** `http://127.0.0.1:<port>`: the service's endpoint, through the proxy. */
  readonly url: string
  /** Refuses new connections and cuts the open ones, as a crashed service would. */
  down(): Promise<void>
  /** Accepts connections again on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const make = () =>
    createServer((client) => {
      const upstream = connect(Number(port), hostname)
      track(client)
      track(upstream)
      client.pipe(upstream).pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
  let server: Server | undefined = make()
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const proxyPort = (server.address() as AddressInfo).port
  const stop = async () => {
    const closing = server
    server = undefined
    for (const socket of sockets) socket.destroy()
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()))
  }
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    down: stop,
    async up() {
      if (server) return
      const next = make()
      await new Promise<void>((resolve) => next.listen(proxyPort, '127.0.0.1', resolve))
      server = next
    },
    close: stop,
  }
}
