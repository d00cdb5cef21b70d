import requests, os

path = "large_genome.bam"
size = os.path.getsize(path)

# 1. Request presigned URL
info = client.files.upload_large(
    filename=os.path.basename(path),
    workspace_id="ws_abc123",
    content_type="application/octet-stream",
    size=size,
    path="bam/",
)

# 2. PUT bytes directly to S3
with open(path, "rb") as f:
    requests.put(info["uploadUrl"], data=f,
                 headers={"Content-Type": "application/octet-stream"})

# 3. Confirm
result = client.files.upload_confirm(
    file_key=info["fileKey"],
    workspace_id="ws_abc123",
    filename=os.path.basename(path),
    size=size,
)
print(result["key"])
