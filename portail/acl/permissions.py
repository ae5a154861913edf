"""The permissions of the portal.  Views declare one of these; ACLs grant them."""

#: see one's own home page and the pages every active account may see
VIEW_HOME = 'view_home'
#: change one's own password (also allowed while a change is required)
CHANGE_PASSWORD = 'change_password'  # noqa: S105 (a permission name)
#: enrol one's own second factor (also allowed while the enrolment is required)
MANAGE_OWN_SECOND_FACTOR = 'manage_own_second_factor'
#: end one's session
LOGOUT = 'logout'
#: create, disable, unlock accounts and assign their roles (admin)
MANAGE_ACCOUNTS = 'manage_accounts'

# The confidentiality charter (issue 18; docs/domain.md, *Confidentiality charter*)
#: read the charter and accept or refuse it (also while its acceptance is pending)
READ_CHARTER = 'read_charter'
#: publish a new version of the charter (admin)
MANAGE_CHARTER = 'manage_charter'
#: the DPO's list of acceptances, and of the accounts that have not accepted
VIEW_CHARTER_ACCEPTANCES = 'view_charter_acceptances'

# Dossiers (docs/domain.md, *Object tree*, *Confidentiality levels*)
#: the "already known?" lookup: level 1 fields only
LOOKUP = 'lookup_identity'
CREATE_DOSSIER = 'create_dossier'
#: search, filter and sort one's own caseload and the dossiers delegated to
#: one (issue 16); the rows come from one's own indexes only
VIEW_CASELOAD = 'view_caseload'
#: read level 2 data of a dossier
VIEW_DOSSIER = 'view_dossier'
#: change identity (level 1) and administrative data (level 2)
EDIT_IDENTITY = 'edit_identity'
EDIT_ADMIN = 'edit_admin'
REASSIGN = 'reassign_referent'
#: list a district's dossiers by référent and move a whole caseload (issue 16)
MANAGE_CASELOADS = 'manage_caseloads'
ADD_CONTRACT = 'add_contract'

# Transfers between districts (issue 16)
#: ask for a dossier found in another district to be transferred to oneself
REQUEST_TRANSFER = 'request_transfer'
#: read a transfer request (level 1 fields, the reason, the answer)
VIEW_TRANSFER = 'view_transfer'
#: accept or refuse a transfer request (the dossier's référent, a qualified manager)
ANSWER_TRANSFER = 'answer_transfer'

# Contracts (docs/domain.md, *Workflow*): granted per workflow state by workflow/contract.py
VIEW_CONTRACT = 'view_contract'
EDIT_CONTRACT = 'edit_contract'
SIGN = 'sign_contract'
RECORD_SIGNATURE = 'record_paper_signature'
ENTER = 'enter_contract'
KEEP_ON_PAPER = 'keep_on_paper'
SHARE = 'share_contract'
UNSHARE = 'unshare_contract'
AMEND = 'amend_contract'
CLOSE = 'close_contract'
CLI_OPINION = 'give_cli_opinion'
#: the beneficiary gives, refuses or withdraws a consent online
GIVE_CONSENT = 'give_consent'
#: the référent records a consent given on paper or in person
RECORD_CONSENT = 'record_consent'
#: granted to nobody: transitions only the portal itself runs (system=True)
SYSTEM_ONLY = 'system_only'

# Confidentiality (docs/domain.md, *Confidentiality levels*; issue 4)
#: name or revoke a delegate on a dossier
MANAGE_DELEGATION = 'manage_delegation'
#: a social worker entrusts all their dossiers to a colleague during an absence
MANAGE_OWN_ABSENCE = 'manage_own_absence'
ADD_NOTE = 'add_note'
#: read a working note (level 3)
VIEW_NOTE = 'view_note'
#: know that a note holding third-party information exists (its date and author)
VIEW_NOTE_EXISTENCE = 'view_note_existence'
EDIT_NOTE = 'edit_note'
#: grant or revoke a colleague's access to one's note
SHARE_NOTE = 'share_note'
#: the beneficiary's "who consulted my dossier"
VIEW_DOSSIER_JOURNAL = 'view_dossier_journal'
#: the DPO's view of every journal
VIEW_ALL_JOURNALS = 'view_all_journals'
#: the DPO's view of what account administrators did (issue 13)
VIEW_ADMINISTRATION_JOURNAL = 'view_administration_journal'

# CLI (docs/domain.md, *CLI and statistics*)
#: read the summaries shared with one's district's CLI
VIEW_CLI_WORKLIST = 'view_cli_worklist'
#: create the CLI's commission sessions and set their agendas (issue 16)
MANAGE_CLI_SESSIONS = 'manage_cli_sessions'

# Statistics (docs/domain.md, *CLI and statistics*; issue 6)
#: open the statistics pages
VIEW_STATISTICS = 'view_statistics'
#: read one district's anonymous counts (its CLI facilitators and managers)
READ_STATISTICS = 'read_statistics'
#: read the whole département's counts, with the count of each district (DPO,
#: département manager); never one district's details, which would let the
#: département figures give a small district's counts away
READ_DEPARTMENT_STATISTICS = 'read_department_statistics'

# Beneficiary accounts (docs/domain.md, *People without internet*; issue 5)
#: create a beneficiary's account and give them an activation code
MANAGE_BENEFICIARY_ACCOUNT = 'manage_beneficiary_account'
#: download everything held on the person (JSON) or print it
#: (docs/domain.md, *Rights of the person*)
EXPORT_DOSSIER = 'export_dossier'

# Rights requests (docs/domain.md, *Rights of the person*; issue 5)
#: see the dossier's rights requests and their answers
VIEW_REQUESTS = 'view_requests'
#: the beneficiary writes a request online
MAKE_REQUEST = 'make_request'
#: the beneficiary updates their own contact details (phone, e-mail, postal
#: address; issue 17): applied at once, journaled, told to the référent
UPDATE_OWN_CONTACT = 'update_own_contact'
#: the référent records a request made on paper or in person, and answers
ANSWER_REQUEST = 'answer_request'
#: the DPO's list of every request, without content
VIEW_ALL_REQUESTS = 'view_all_requests'

# Letters (issue 17; portail/letters, docs/letters.md)
#: produce one of the département's letters to the person (PDF, journaled)
PRODUCE_LETTER = 'produce_letter'
#: list the dossier's letters and download them
VIEW_LETTER = 'view_letter'

# The feed to the departmental information system (issue 19; docs/feed.md)
#: read the feed of entered, amended and closed contracts (the API account only)
READ_FEED = 'read_feed'
