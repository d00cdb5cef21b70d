# Download directly to disk (one-liner)
local_path = client.files.download(
    result["key"], workspace_id="ws_abc123", dest="./output/"
)
print(f"Saved to {local_path}")
