result = client.files.upload(
    "sample.vcf",
    workspace_id="ws_abc123",
    path="raw/",
)
file_key = result["key"]   # pass this to query or download
