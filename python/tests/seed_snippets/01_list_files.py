files = client.files.list(workspace_id="ws_abc123")
for f in files:
    print(f"{f['name']} — {f['size'] / 1024:.1f} KB  key={f['key']}")
