"""The words an audit row is made of: what was done (its action) and through what (its source)."""

SOURCE_WEB = "web"
SOURCE_API = "api"
SOURCE_IMPORT = "import"
SOURCE_SYSTEM = "system"
#: an operator at the command line (flask gdpr ...)
SOURCE_CLI = "cli"

VIEW = "view"
CREATE = "create"
UPDATE = "update"
DELETE = "delete"
MOVE = "move"
