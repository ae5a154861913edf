"""The permissions of the portal.  Views declare one of these; ACLs grant them."""

#: see one's own home page and the pages every active account may see
VIEW_HOME = 'view_home'
#: change one's own password (also allowed while a change is required)
CHANGE_PASSWORD = 'change_password'
#: end one's session
LOGOUT = 'logout'
#: create, disable, unlock accounts and assign their roles (admin)
MANAGE_ACCOUNTS = 'manage_accounts'
