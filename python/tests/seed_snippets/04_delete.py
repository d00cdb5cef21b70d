client.files.delete(result["key"], workspace_id="ws_abc123")
