"""Granary: Python client for the self-hostable Granary file service.

Example::

    from granary import Client, ApiError, NetworkError

    client = Client()   # GRANARY_API_KEY and GRANARY_URL (default http://127.0.0.1:8080)
    result = client.files.upload("sample.vcf", workspace_id="ws_abc123", path="raw/")
    for f in client.files.list(workspace_id="ws_abc123", prefix="raw/"):
        print(f["key"], f["size"])
    local_path = client.files.download(result["key"], workspace_id="ws_abc123", dest="./output/")
    client.files.delete(result["key"], workspace_id="ws_abc123")
"""

__version__ = "0.2.0"

from .client import Client
from .errors import (
    ERROR_CODES,
    ApiError,
    ConfigError,
    FileChangedError,
    GranaryError,
    LocalFileError,
    NetworkError,
)
from .models import (
    DownloadLink,
    FileInfo,
    FileList,
    FileVersion,
    FolderResult,
    Job,
    SignedPart,
    TrashItem,
    TrashList,
    UploadInfo,
    UploadPart,
    UploadTicket,
    WorkspaceSettings,
    WorkspaceUsage,
)
from .transport import RetryPolicy
from .webhooks import WEBHOOK_EVENTS, CreatedWebhook, WebhookDelivery, WebhookInfo

__all__ = [
    "Client",
    "ApiError",
    "NetworkError",
    "GranaryError",
    "ConfigError",
    "LocalFileError",
    "FileChangedError",
    "RetryPolicy",
    "FileList",
    "FileInfo",
    "DownloadLink",
    "UploadTicket",
    "UploadInfo",
    "UploadPart",
    "SignedPart",
    "FileVersion",
    "TrashItem",
    "TrashList",
    "WorkspaceSettings",
    "WorkspaceUsage",
    "Job",
    "FolderResult",
    "ERROR_CODES",
    "WEBHOOK_EVENTS",
    "WebhookInfo",
    "CreatedWebhook",
    "WebhookDelivery",
    "__version__",
]
