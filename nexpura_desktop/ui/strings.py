"""Every string the window, tray and dialogs show, in one place, ready for translation.

Use ``S.NAME`` (``S.NAME.format(...)`` for placeholders).  Reading an attribute passes
the English source text through ``QCoreApplication.translate("Strings", text)``, so
installing a ``QTranslator`` translates the whole UI; a ``.ts`` file can be generated
from this one module.  ``&`` marks a keyboard mnemonic (Alt+letter).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

CONTEXT = "Strings"


class _Strings:
    """English source strings; attribute access returns the translated text."""

    # -- application ---------------------------------------------------------------------
    APP_NAME = "Nexpura Desktop"
    WINDOW_TITLE = "Nexpura Desktop"
    WINDOW_TITLE_SANDBOX = "Nexpura Desktop — sandbox"
    NAV_ACCESSIBLE = "Pages"
    NO_TRAY_BANNER = (
        "There is no system tray on this desktop: scheduled syncs run only while this window "
        "is open."
    )
    PAUSED_BANNER = "Schedules are paused. Nothing syncs on its own until you resume."
    LOADING = "Opening your shop…"
    START_FAILED = "Nexpura Desktop could not open this shop: {message}"

    # -- pages -----------------------------------------------------------------------------
    PAGE_INTEGRATIONS = "Integrations"
    PAGE_ACTIVITY = "Activity"
    PAGE_EXPORTS = "Exports"
    PAGE_MESSAGES = "Messages"
    PAGE_SETTINGS = "Settings"
    PAGE_WELCOME = "Welcome"

    # -- service names -------------------------------------------------------------------
    SERVICE_SHOPIFY = "Shopify"
    SERVICE_WOOCOMMERCE = "WooCommerce"
    SERVICE_MAILCHIMP = "Mailchimp"
    SERVICE_XERO = "Xero"
    SERVICE_GOOGLE_CALENDAR = "Google Calendar"
    SERVICE_TWILIO = "Twilio (WhatsApp and SMS)"
    SERVICE_EXPORTS = "Exports"

    # -- integrations page ---------------------------------------------------------------
    INTEGRATIONS_INTRO = "Connect the services your shop uses. Each syncs on its own schedule."
    STATUS_CONNECTED = "Connected"
    STATUS_DISCONNECTED = "Not connected"
    STATUS_ERROR = "Needs attention"
    STATUS_RECONNECT = "Reconnect needed"
    STATUS_SYNCING = "Syncing…"
    ACCOUNT = "Account: {account}"
    NO_ACCOUNT = "No account connected"
    LAST_SYNC = "Last sync: {when}"
    LAST_SYNC_NEVER = "Last sync: never"
    LAST_RESULT = "Result: {message}"
    CONNECT = "&Connect…"
    RECONNECT = "&Reconnect…"
    DISCONNECT = "&Disconnect"
    SYNC_NOW = "&Sync now"
    DIRECTIONS = "D&irections…"
    SERVICE_SETTINGS = "Se&ttings…"
    SERVICE_SETTINGS_NONE = "{service} has no settings of its own in this version."
    SYNC_PROGRESS = "{label}: {done}"
    SYNC_PROGRESS_OF = "{label}: {done} of {total}"
    SYNC_PROGRESS_ACCESSIBLE = "{service} sync progress"
    SCHEDULE = "Schedule"
    SCHEDULE_ACCESSIBLE = "{service} schedule"
    SCHEDULE_OFF = "Manual only"
    SCHEDULE_15 = "Every 15 minutes"
    SCHEDULE_60 = "Every hour"
    SCHEDULE_DAILY = "Every day at 2 am"
    SCHEDULE_CUSTOM = "Custom ({text})"
    CONNECTING = "Connecting {service}…"
    CONNECT_TITLE = "Connect {service}"
    CONNECT_INTRO_KEYS = "Paste the details from your {service} account. {hint}"
    CONNECT_INTRO_BROWSER = (
        "Nexpura Desktop opens {service} in your web browser; sign in there and allow "
        "access. {hint}"
    )
    CONNECT_SANDBOX_NOTE = (
        "Sandbox mode: leave the fields empty to use the sandbox's own test account."
    )
    CONNECT_START = "&Connect"
    CONNECT_SIGN_IN = "&Sign in with browser"
    COPY_LINK = "Copy &link"
    LINK_COPIED = "The sign-in link is on the clipboard; paste it into your browser."
    CONNECT_WAITING_BROWSER = "Waiting for you to finish signing in in your browser…"
    CONNECT_WORKING = "Connecting…"
    CONNECT_CHOOSE = "C&ontinue"
    CONNECT_CANCELLED = "Connecting {service} was cancelled."
    CONNECT_DONE = "{summary}."
    FIELD_REQUIRED = "Needed."
    HINT_SHOPIFY = (
        "The access token is in Shopify admin > Settings > Apps and sales channels > "
        "Develop apps > your app > API credentials (Admin API access token, starts with "
        "shpat_)."
    )
    HINT_SHOPIFY_APP = (
        "Use your own custom app: in Shopify admin > Settings > Apps and sales channels > "
        "Develop apps > your app > API credentials, copy the Client ID and Client secret, and "
        "add {url} to the app's allowed redirection URLs."
    )
    METHOD_SHOPIFY_TOKEN = "Admin API &token"  # noqa: S105 (a label, not a secret)
    METHOD_SHOPIFY_APP = "Sign in with my &app (client ID)"
    HINT_WOOCOMMERCE = (
        "Create the key in WordPress admin > WooCommerce > Settings > Advanced > REST API > "
        "Add key, with Read/Write permission; copy both the consumer key (ck_…) and secret "
        "(cs_…)."
    )
    HINT_MAILCHIMP = (
        "Create a key in Mailchimp under your profile > Extras > API keys > Create A Key; "
        "it ends with your data centre, like -us21."
    )
    HINT_TWILIO = (
        "The Account SID and Auth Token are on the Twilio Console home page under Account "
        "Info; the senders are under Messaging > Senders."
    )
    HINT_XERO = (
        "Uses your Xero app's client id (developer.xero.com > My Apps > your app, PKCE "
        "type); you choose the organisation after signing in."
    )
    HINT_GOOGLE = (
        "Uses a Google Cloud OAuth client of type Desktop app (Google Cloud console > APIs & "
        "Services > Credentials); the client id and secret are in its downloaded JSON."
    )
    FIELD_SHOP = "Shop name"
    FIELD_SHOP_PLACEHOLDER = "your-shop.myshopify.com"
    FIELD_TOKEN = "Admin API access token"  # noqa: S105 (a label, not a secret)
    FIELD_STORE_URL = "Shop address"
    FIELD_STORE_URL_PLACEHOLDER = "https://shop.example.com"
    FIELD_CONSUMER_KEY = "Consumer key"
    FIELD_CONSUMER_SECRET = "Consumer secret"  # noqa: S105 (a label, not a secret)
    FIELD_API_KEY = "API key"
    FIELD_ACCOUNT_SID = "Account SID"
    FIELD_AUTH_TOKEN = "Auth Token"  # noqa: S105 (a label, not a secret)
    FIELD_WHATSAPP_FROM = "WhatsApp sender"
    FIELD_SMS_FROM = "SMS sender"
    FIELD_SENDER_PLACEHOLDER = "+61400000000 or MG…"
    FIELD_CLIENT_ID = "Client id"
    FIELD_CLIENT_SECRET = "Client secret"  # noqa: S105 (a label, not a secret)
    INVALID_SHOPIFY_TOKEN = "An Admin API access token starts with shpat_."  # noqa: S105 (a label, not a secret)
    INVALID_CONSUMER_KEY = "A consumer key is ck_ followed by 40 letters and digits."
    INVALID_CONSUMER_SECRET = "A consumer secret is cs_ followed by 40 letters and digits."  # noqa: S105 (a label, not a secret)
    INVALID_ACCOUNT_SID = "An Account SID is AC followed by 32 letters and digits."
    INVALID_HEX32 = "This is 32 letters and digits; copy it again."
    CONFIRM_DISCONNECT_TITLE = "Disconnect {service}?"
    CONFIRM_DISCONNECT = (
        "Nexpura Desktop will stop syncing with {service} and forget its sign-in. "
        "Your shop's data in the ledger is kept."
    )
    DISCONNECTED_MESSAGE = "{service} is disconnected."
    DISCONNECTED_REVOKED = "{service} is disconnected and its access was revoked."
    DISCONNECTING = "Disconnecting {service}…"
    DIRECTIONS_TITLE = "{service}: what to sync"
    DIRECTIONS_NONE = "{service} has no sync jobs in this version yet."
    DIRECTION_BOTH = "Both ways"
    DIRECTION_IMPORT = "Into Nexpura Desktop only"
    DIRECTION_EXPORT = "Out to the service only"
    DIRECTION_OFF = "Off"
    SAVE = "&Save"
    CANCEL = "&Cancel"
    CLOSE = "C&lose"

    # -- activity page -------------------------------------------------------------------
    ACTIVITY_RUNS = "Recent syncs"
    ACTIVITY_ISSUES = "Records that could not sync"
    FILTER_SERVICE = "&Service:"
    FILTER_OUTCOME = "&Outcome:"
    FILTER_ALL = "All"
    OUTCOME_SUCCESS = "Succeeded"
    OUTCOME_PARTIAL = "Partly synced"
    OUTCOME_FAILED = "Failed"
    OUTCOME_CANCELLED = "Cancelled"
    OUTCOME_SKIPPED = "Skipped"
    OUTCOME_RUNNING = "Running"
    COL_SERVICE = "Service"
    COL_JOB = "Job"
    COL_TRIGGER = "Started by"
    COL_STARTED = "Started"
    COL_OUTCOME = "Outcome"
    COL_COUNTS = "Created / updated / unchanged / failed"
    COL_MESSAGE = "Message"
    COL_RECORD = "Record"
    COL_REASON = "Reason"
    COL_ATTEMPTS = "Attempts"
    COL_STATE = "State"
    RETRY = "&Retry"
    SKIP = "S&kip"
    RETRY_STARTED = "Retrying: {message}"
    ISSUE_SKIPPED = "The record was skipped; syncs leave it alone from now on."
    NO_ISSUE_SELECTED = "Select a record in the list first."
    COUNTS = "{created} / {updated} / {unchanged} / {failed}"
    TRIGGER_MANUAL = "You"
    TRIGGER_SCHEDULE = "Schedule"
    TRIGGER_CATCH_UP = "Catch-up after sleep"
    TRIGGER_STARTUP = "Start-up"
    TRIGGER_API = "API"

    # -- exports page --------------------------------------------------------------------
    EXPORTS_INTRO = (
        "Save a CSV copy of your shop's tables: one file per table, readable by Excel, "
        "LibreOffice and any other tool."
    )
    EXPORT_ALL_TABLES = "&All tables"
    EXPORT_TABLES_ACCESSIBLE = "Tables to export"
    EXPORT_FOLDER = "&Folder:"
    EXPORT_BROWSE = "&Browse…"
    EXPORT_CHOOSE_FOLDER = "Choose the folder for exports"
    EXPORT_EXCEL = "Open in &Excel (adds a byte-order mark)"
    EXPORT_ZIP = "One &zip file"
    EXPORT_RUN = "&Export now"
    EXPORT_CANCEL = "Cance&l export"
    EXPORT_OPEN_FOLDER = "&Open folder"
    EXPORT_RUNNING = "Exporting {table}…"
    EXPORT_DONE = "Saved {rows} rows in {tables} tables to {path}"
    EXPORT_CANCELLED = "The export was cancelled; nothing was saved."
    EXPORT_FAILED = "The export failed: {message}"
    EXPORT_NO_TABLES = "Choose at least one table, or tick All tables."
    EXPORT_BUSY = "An export is already running."
    EXPORT_HISTORY = "Recent exports"
    EXPORT_CUSTOMER = "Export one &customer…"
    EXPORT_CUSTOMER_TITLE = "Export one customer"
    EXPORT_CUSTOMER_PROMPT = "Customer id (every row about this customer is saved):"
    BACKUP_TITLE = "Scheduled backup exports"
    BACKUP_ENABLED = "Save a full &backup export"
    BACKUP_EVERY = "every"
    BACKUP_DAILY = "day"
    BACKUP_WEEKLY = "week"
    BACKUP_KEEP = "&Keep the last"
    BACKUP_KEEP_SUFFIX = "backups"
    BACKUP_SAVE = "Save &backup settings"
    BACKUP_SAVED = "Backup settings saved."

    # -- service settings ----------------------------------------------------------------
    # per-service settings dialogs (helper D): Mailchimp, Xero, Google Calendar
    SVC_TITLE = "{service} settings"
    SVC_LOADING = "Reading your {service} account…"
    SVC_LOADED = "Choices read from your {service} account."
    SVC_LOAD_FAILED = "Could not read your {service} account: {problem}"
    SVC_RELOAD = "&Read again"
    SVC_SAVED = "{service} settings saved."
    SVC_SAVE_FAILED = "The settings were not saved: {problem}"
    SVC_SCHEDULE_ON = "Sync &automatically"
    SVC_EVERY = "E&very"
    SVC_MINUTES = " minutes"
    SVC_EVERY_ACCESSIBLE = "Minutes between automatic syncs"
    SVC_CURRENT_UNLISTED = "{name} (current; not listed by the account)"
    MC_INTRO = (
        "Customers who agreed to marketing are added to the audience you choose here. "
        "People who unsubscribed in Mailchimp are never added back."
    )
    MC_AUDIENCE = "A&udience"
    MC_AUDIENCE_CHANGED = (
        "Everyone who agreed to marketing will be sent to the new audience on the next sync."
    )
    MC_VERIFY = "&Verify audience"
    MC_VERIFY_HINT = (
        "Compares the whole audience with your customers and lists every difference under Activity."
    )
    MC_VERIFYING = "Comparing the audience with your customers…"
    MC_VERIFY_RESULT = "{count} differences between the audience and your customers."
    MC_VERIFY_NONE = "The audience matches your customers: no differences."
    MC_VERIFY_FAILED = "The audience could not be verified: {problem}"
    XERO_INTRO = (
        "Sent invoices go to Xero as drafts. Choose the sales account and tax rate their "
        "lines use; by default they come from your Xero organisation."
    )
    XERO_ACCOUNT = "Sales &account"
    XERO_TAX = "&Tax rate"
    XERO_DEFAULT = "Organisation's default ({choice})"
    XERO_DEFAULT_NONE = "Organisation's default"
    XERO_SCHEDULE_NOTE = "Invoices are sent when you press Sync now, unless you turn this on."
    GCAL_INTRO = (
        "Appointments and repair and bespoke due dates appear in the calendar you choose, "
        "at your shop's local time."
    )
    GCAL_CALENDAR = "&Calendar"
    GCAL_PRIMARY = "{name} (main calendar)"
    GCAL_CALENDAR_CHANGED = (
        "Every appointment and due date will be written to the new calendar on the next "
        "sync; events already in the old calendar stay there."
    )
    GCAL_CHANGES = "Changes made in Google"
    GCAL_APPLY = "A&pply them to the appointment or job"
    GCAL_REPORT = "&Report them under Activity, change nothing"

    # -- messages page -------------------------------------------------------------------
    # messaging (helper E): log filters, ready for pickup, templates, settings
    MSG_TAB_LOG = "&Log"
    MSG_TAB_PICKUP = "Ready for &pickup"
    MSG_TAB_TEMPLATES = "&Templates"
    MSG_TAB_SETTINGS = "Messaging &settings"
    MSG_FILTER_STATUS = "&Delivery:"
    MSG_FILTER_CATEGORY = "&Kind:"
    MSG_FILTER_PENDING = "Pending or sent"
    MSG_FILTER_DELIVERED = "Delivered or read"
    MSG_FILTER_FAILED = "Failed"
    MSG_COL_CATEGORY = "Kind"
    MSG_STATUS_PENDING = "Pending"
    MSG_STATUS_SENT = "Sent"
    MSG_STATUS_DELIVERED = "Delivered"
    MSG_STATUS_READ = "Read"
    MSG_STATUS_FAILED = "Failed"
    MSG_CAT_JOB_READY = "Ready for pickup (customer)"
    MSG_CAT_TASK_ASSIGNED = "Task assigned (staff)"
    MSG_CAT_TASK_STATUS = "Task status changed (staff)"
    MSG_CAT_TASK_URGENT = "Urgent task (staff)"
    MSG_CAT_JOB_URGENT = "Urgent repair or bespoke job (staff)"
    MSG_NOTHING_TO_RETRY = "Choose a failed message to retry."
    MSG_SENDING = "Sending…"
    MSG_RESULT_SENT = "Sent. Its delivery status will appear in the log."
    MSG_RESULT_WAITING = "Queued: it is quiet hours, so it goes out when they end."
    MSG_RESULT_QUEUED = "Queued: it goes out with the next Twilio sync."
    MSG_RESULT_FAILED = "Not sent: {reason}"
    MSG_RESULT_NOT_AGAIN = "Already notified, so it was not sent again."
    MSG_PICKUP_INTRO = (
        "Open repairs and bespoke jobs. Mark a job ready to tell the customer it can be "
        "collected; a customer is told once per time the job becomes ready."
    )
    MSG_PICKUP_EMPTY = "There are no open repairs or bespoke jobs."
    MSG_COL_JOB = "Job"
    MSG_COL_CUSTOMER = "Customer"
    MSG_COL_ITEM = "Item"
    MSG_COL_STAGE = "Stage"
    MSG_COL_NOTIFIED = "Customer told"
    MSG_KIND_REPAIR = "Repair"
    MSG_KIND_BESPOKE = "Bespoke"
    MSG_MARK_READY = "&Mark ready and notify"
    MSG_NOTIFY_AGAIN = "&Notify again"
    MSG_NO_JOB_SELECTED = "Choose a job first."
    MSG_EVENT_NONE = "Not yet"
    MSG_EVENT_BASELINE = "Not told (ready before messaging was set up)"
    MSG_EVENT_DISABLED = "Not told (ready-for-pickup messages are off)"
    MSG_EVENT_PENDING = "Queued"
    MSG_EVENT_WAITING = "Waiting for quiet hours to end"
    MSG_EVENT_SENT = "Told"
    MSG_EVENT_FAILED = "Failed"
    MSG_EVENT_SKIPPED = "Not sent"
    MSG_TEMPLATES_INTRO = (
        "The text of each kind of message. Save and preview a change with a sample customer, "
        "then enable it. Outside WhatsApp's 24-hour window an approved WhatsApp template "
        "from your Twilio account is sent instead of the text."
    )
    MSG_TEMPLATE_CATEGORY = "Me&ssage:"
    MSG_TEMPLATE_CHANNEL = "C&hannel:"
    MSG_TEMPLATE_TEXT_LABEL = "Te&xt:"
    MSG_TEMPLATE_TEXT = "Message text"
    MSG_TEMPLATE_VARIABLES = "Variables you can use: {names}"
    MSG_TEMPLATE_CONTENT_LABEL = "&WhatsApp template:"
    MSG_TEMPLATE_CONTENT = "WhatsApp template"
    MSG_TEMPLATE_CONTENT_DEFAULT = "The standard one for this message"
    MSG_TEMPLATE_LOAD = "&Load from Twilio"
    MSG_TEMPLATE_CONTENT_VARS_LABEL = "Template &variables:"
    MSG_TEMPLATE_CONTENT_VARS = "Template variables"
    MSG_TEMPLATE_CONTENT_VARS_HINT = "e.g. 1=first_name, 2=item, 3=tracking_id"
    MSG_TEMPLATE_PREVIEW_LABEL = "Preview:"
    MSG_TEMPLATE_PREVIEW = "Preview with a sample customer"
    MSG_PREVIEW_FREE = "Text: {text}"
    MSG_PREVIEW_TEMPLATE = "WhatsApp template: {text}"
    MSG_TEMPLATE_PROBLEM = "Problem: {problem}"
    MSG_TEMPLATE_SAVE = "Save and p&review"
    MSG_TEMPLATE_ENABLE = "&Enable"
    MSG_TEMPLATE_BUILT_IN = "Using the built-in text."
    MSG_TEMPLATE_ENABLED = "Your text is in use."
    MSG_TEMPLATE_SAVED_OFF = "Saved and previewed, not in use yet: enable it."
    MSG_TEMPLATE_EDITED = "Changed: save and preview it before it can be enabled."
    MSG_TEMPLATE_PREVIEWED = "Saved (not in use yet). A sample customer would get: {text}"
    MSG_TEMPLATE_NOW_ENABLED = "Enabled: new messages use your text."
    MSG_TEMPLATE_LOADING = "Loading the WhatsApp templates from Twilio…"
    MSG_TEMPLATE_LOADED = "{count} templates loaded from Twilio."
    MSG_TEMPLATE_LOAD_FAILED = "Could not load the templates: {problem}"
    MSG_SETTINGS_INTRO = (
        "Which messages are sent, on which channel customers hear first, and when customer "
        "messages wait. Staff messages are never held."
    )
    MSG_SWITCHES = "Send:"
    MSG_SWITCH_JOB_READY = "&Ready for pickup, to the customer"
    MSG_SWITCH_TASK_ASSIGNED = "Task &assigned, to the assignee"
    MSG_SWITCH_TASK_STATUS = "Task status &changed, to the assignee"
    MSG_SWITCH_URGENT = "&Urgent flag on a task, repair or bespoke job, to the assignee"
    MSG_ORDER = "Customer &channels:"
    MSG_ORDER_WA_SMS = "WhatsApp, then SMS if WhatsApp cannot reach them"
    MSG_ORDER_SMS_WA = "SMS, then WhatsApp if SMS cannot reach them"
    MSG_ORDER_WA = "WhatsApp only"
    MSG_ORDER_SMS = "SMS only"
    MSG_QUIET = "Quiet hours:"
    MSG_QUIET_ON = "&Hold customer messages"
    MSG_QUIET_FROM = "from"
    MSG_QUIET_UNTIL = "until"
    MSG_QUIET_ZONE = "In the shop's time zone ({zone})."
    MSG_QUIET_SAME = "Quiet hours must start and end at different times."
    MSG_COUNTRY = "Phone c&ountry:"
    MSG_COUNTRY_HINT = "e.g. AU (empty: the shop's country)"
    MSG_COUNTRY_INVALID = "{country} is not a country code we know; use two letters such as AU."
    MSG_SETTINGS_SAVE = "Sa&ve messaging settings"
    MSG_SETTINGS_SAVED = "Messaging settings saved."
    MSG_SETTINGS_FAILED = "Could not save: {problem}"
    MESSAGES_INTRO = "WhatsApp and SMS notifications sent to customers, newest first."
    CHANNEL = "&Channel:"
    CHANNEL_WHATSAPP = "WhatsApp"
    CHANNEL_SMS = "SMS"
    COL_CHANNEL = "Channel"
    COL_SENT = "Sent"
    COL_PHONE = "Phone"
    COL_STATUS = "Delivery"
    COL_TEXT = "Message"
    COL_ERROR = "Problem"
    MESSAGES_EMPTY = "No messages have been sent yet."

    # -- local API panel (on the Settings page) -----------------------------------------
    API_TITLE = "Local API"
    API_INTRO = (
        "Other programs on this computer (a spreadsheet, the shop website's tools, a script) "
        "can read stock, customers and jobs and start a sync through a small web API. It is "
        "off until you switch it on, answers this computer only, and every program needs the "
        "token below."
    )
    API_ENABLE = "Serve the local API on this computer"
    API_PORT = "Port:"
    API_COPY = "Copy token"
    API_RENEW = "New token"
    API_RENEW_TITLE = "Replace the API token?"
    API_RENEW_QUESTION = (
        "Programs that use the current token stop working until you give them the new one."
    )
    API_STATUS_OFF = "Off."
    API_STATUS_WORKING = "One moment…"
    API_STATUS_ON = "Serving on {url}/api (reference: {url}/api/openapi.json)."
    API_STATUS_FAILED = "Not running: {error}"
    API_COPIED = "Token copied. Paste it where the program asks for a bearer token."
    API_RENEWED = "New token made and copied; the old one no longer works."

    # -- settings page -------------------------------------------------------------------
    SETTINGS_SHOP = "Shop profile (used by syncs)"
    SETTINGS_TIMEZONE = "&Time zone:"
    SETTINGS_COUNTRY = "C&ountry:"
    SETTINGS_CURRENCY = "C&urrency:"
    SETTINGS_TAX_INCLUSIVE = "Prices &include tax"
    SETTINGS_APP = "This computer"
    SETTINGS_DATA_FOLDER = "Data folder:"
    SETTINGS_OPEN_DATA = "Open &data folder"
    SETTINGS_START_AT_LOGIN = "Start Nexpura Desktop when I &log in"
    SETTINGS_CLOSE_TO_TRAY = "Closing the window keeps syncing in the t&ray"
    SETTINGS_SANDBOX = "Sa&ndbox mode (practise with fake services, no real accounts)"
    SETTINGS_SANDBOX_URL = "Sandbox address:"
    SETTINGS_SAVE = "&Save settings"
    SETTINGS_SAVED = "Settings saved."
    SETTINGS_CURRENCY_INVALID = "The currency is a three-letter code such as AUD."
    SETTINGS_AUTOSTART_FAILED = "Could not change start at login: {message}"

    # -- first run -----------------------------------------------------------------------
    WELCOME_TITLE = "Welcome to Nexpura Desktop"
    WELCOME_TEXT = (
        "Nothing is set up yet. Try everything with a demo jewellery shop and practice "
        "services, or bring in your own shop's data from a Nexpura export."
    )
    WELCOME_DEMO = "Try the &demo shop"
    WELCOME_DEMO_HINT = "Demo data and practice versions of every service; no accounts needed."
    WELCOME_IMPORT = "&Import my Nexpura export…"
    WELCOME_IMPORT_HINT = "The .json file from Nexpura's Settings › Data export."
    WELCOME_CHOOSE_FILE = "Choose your Nexpura export"
    WELCOME_FILE_FILTER = "Nexpura export (*.json);;All files (*)"
    WELCOME_LOADING_DEMO = "Loading the demo shop: {table}…"
    WELCOME_STARTING_SANDBOX = "Starting the practice services…"
    WELCOME_IMPORTING = "Importing {table}…"
    WELCOME_FAILED = "That did not work: {message}"
    WELCOME_DEMO_READY = "The demo shop is ready. Connect any service on the Integrations page."
    WELCOME_IMPORT_DONE = "Imported {rows} rows from {file}."

    # -- tray ----------------------------------------------------------------------------
    TRAY_SYNC_ALL = "Sync &all now"
    TRAY_SYNC_SERVICE = "Sync {service} now"
    TRAY_SYNC_MENU = "Sync &one service"
    TRAY_NO_SERVICES = "No service connected"
    TRAY_LAST_RESULT = "Last: {message}"
    TRAY_NO_RESULT = "No sync has run yet"
    TRAY_EXPORT_NOW = "&Export now"
    TRAY_PAUSE = "&Pause schedules"
    TRAY_RESUME = "&Resume schedules"
    TRAY_OPEN = "&Open Nexpura Desktop"
    TRAY_QUIT = "&Quit"
    TRAY_TOOLTIP = "Nexpura Desktop — {state}"
    TRAY_TOOLTIP_LAST = "Nexpura Desktop — {state}\n{message}"
    STATE_OK = "all in sync"
    STATE_SYNCING = "syncing"
    STATE_ATTENTION = "needs attention"
    STATE_PAUSED = "schedules paused"
    NOTIFY_FAILED_TITLE = "{service} sync failed"
    NOTIFY_RECONNECT_TITLE = "{service} needs you to reconnect"
    NOTIFY_STILL_RUNNING = "Nexpura Desktop keeps syncing in the tray. Quit from the tray menu."
    SYNC_STARTED = "{message}"
    PROGRESS = "{job}: {label} {count}"

    # -- quitting ------------------------------------------------------------------------
    QUIT_TITLE = "Quit Nexpura Desktop?"
    QUIT_TEXT = (
        "There is no system tray here, so scheduled syncs stop when the window closes. Quit anyway?"
    )

    # -- crashes -------------------------------------------------------------------------
    CRASH_TITLE = "Something went wrong"
    CRASH_TEXT = (
        "Nexpura Desktop hit an unexpected problem and carried on. The details were saved "
        "to:\n{path}\nPlease send that file to support if it happens again."
    )
    UNEXPECTED = "An unexpected problem ({kind}); the details are in the log file."

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if isinstance(value, str) and not name.startswith("_"):
            return QCoreApplication.translate(CONTEXT, value)
        return value

    def source_texts(self) -> dict[str, str]:
        """Name → English source text of every string (for tests and ``.ts`` generation)."""
        return {
            name: value
            for name, value in vars(type(self)).items()
            if isinstance(value, str) and name.isupper()
        }


S = _Strings()

_SERVICE_KEYS = {
    "shopify": "SERVICE_SHOPIFY",
    "woocommerce": "SERVICE_WOOCOMMERCE",
    "mailchimp": "SERVICE_MAILCHIMP",
    "xero": "SERVICE_XERO",
    "google_calendar": "SERVICE_GOOGLE_CALENDAR",
    "twilio": "SERVICE_TWILIO",
    "exports": "SERVICE_EXPORTS",
}


def service_name(service: str) -> str:
    """The translated name the owner knows a service by."""
    key = _SERVICE_KEYS.get(service)
    return str(getattr(S, key)) if key else service.replace("_", " ").title()


def outcome_name(outcome: str | None) -> str:
    names = {
        None: S.OUTCOME_RUNNING,
        "success": S.OUTCOME_SUCCESS,
        "partial": S.OUTCOME_PARTIAL,
        "failed": S.OUTCOME_FAILED,
        "cancelled": S.OUTCOME_CANCELLED,
        "skipped": S.OUTCOME_SKIPPED,
    }
    return str(names.get(outcome, outcome or ""))


def trigger_name(trigger: str) -> str:
    names = {
        "manual": S.TRIGGER_MANUAL,
        "schedule": S.TRIGGER_SCHEDULE,
        "catch-up": S.TRIGGER_CATCH_UP,
        "startup": S.TRIGGER_STARTUP,
        "api": S.TRIGGER_API,
    }
    return str(names.get(trigger, trigger))
