export * from './error-codes.ts'
export * from './limits.ts'
export * from './schemas.ts'
export * from './wire.ts'
