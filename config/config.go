// Package config loads cornershop's configuration: one YAML file, every key
// overridable by a CORNERSHOP_* environment variable, secrets also from
// CORNERSHOP_*_FILE files. Unknown keys are errors with their line;
// validation reports every problem with its key path; credentials are
// Secrets that never print.
package config

import "time"

// Config is the whole configuration tree.
type Config struct {
	Database Database  `yaml:"database"`
	HTTP     HTTP      `yaml:"http"`
	Log      Log       `yaml:"log"`
	Metrics  Metrics   `yaml:"metrics"`
	Team     Team      `yaml:"team"`
	Relay    Relay     `yaml:"relay"`
	Outbox   Outbox    `yaml:"outbox"`
	Staff    []Staff   `yaml:"staff"`
	Desks    []Desk    `yaml:"desks"`
	Routes   []Route   `yaml:"routes"`
	Snippets []Snippet `yaml:"snippets"`
	Ideas    Ideas     `yaml:"ideas"`
	Answers  Answers   `yaml:"answers"`
	Privacy  Privacy   `yaml:"privacy"`
	// Listening configures listening places and rules (docs/listening.md).
	Listening Listening `yaml:"listening"`
	Telegram  Telegram  `yaml:"telegram"`
	Slack     Slack     `yaml:"slack"`
	Discord   Discord   `yaml:"discord"`
	Webhooks  []Webhook `yaml:"webhooks"`
	API       API       `yaml:"api"`

	// Incidents configures incidents (docs/incidents.md).
	Incidents Incidents `yaml:"incidents"`
}

// API configures the REST API at /api/v1 (docs/api.md). Without tokens
// only its OpenAPI document is served.
type API struct {
	Tokens []APIToken `yaml:"tokens"`
}

// APIToken is one client's bearer token.
type APIToken struct {
	// Name identifies the client in the audit log (api:<name>).
	Name string `yaml:"name"`
	// Secret is the bearer token, at least 32 characters; set it with
	// CORNERSHOP_API_TOKENS_<n>_SECRET or its _FILE variant.
	Secret Secret `yaml:"secret"`
	// Scopes are read, write (implies read) and admin (implies both).
	Scopes []string `yaml:"scopes"`
}

// Driver names a database driver.
type Driver string

// Database drivers.
const (
	SQLite   Driver = "sqlite"
	Postgres Driver = "postgres"
)

// Valid reports whether d is a known driver.
func (d Driver) Valid() bool { return d == SQLite || d == Postgres }

// Database says where cornershop keeps its records.
type Database struct {
	Driver Driver `yaml:"driver"`
	// DSN is a file path for SQLite, a postgres:// URL for PostgreSQL.
	DSN Secret `yaml:"dsn"`
	// SQLiteSynchronous is SQLite's durability: "normal" survives a killed
	// process; "full" also survives power loss and OS crashes, at about
	// 0.4x the write rate. A platform is acknowledged only after a commit
	// durable at this level.
	SQLiteSynchronous string `yaml:"sqlite_synchronous"`
	MaxOpenConns      int    `yaml:"max_open_conns"`
	// Commits is how many group-commit transactions run at once on
	// PostgreSQL (0: 2); SQLite, with one writer, always runs one.
	Commits int `yaml:"commits"`
	// SearchLanguage is the language of full-text search: PostgreSQL's text
	// search configuration (english, simple, german, …); on SQLite,
	// "english" stems words (FTS5's porter tokenizer) and any other value
	// indexes them unstemmed, accents removed.
	SearchLanguage string `yaml:"search_language"`
}

// HTTP is cornershop's HTTP server.
type HTTP struct {
	Listen string `yaml:"listen"`
	// AdminListen, if set, serves /healthz, /readyz and /metrics on this
	// address instead of Listen, so they can stay off the public network.
	AdminListen string `yaml:"admin_listen"`
	// PublicURL is the base URL platforms reach this service at (webhooks).
	PublicURL string `yaml:"public_url"`
	// ReadTimeout bounds reading one request, headers and body: the
	// platforms' signed POSTs are a few kilobytes sent at once, and a
	// client that trickles them is cut off (headers alone get at most 5s).
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// IdleTimeout closes a keep-alive connection with no request for this
	// long. Behind a load balancer, keep it above the balancer's own.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
}

// Metrics configures the Prometheus metrics.
type Metrics struct {
	// Replica is the replica label on every series; "" means the host
	// name, so a restart keeps its series.
	Replica string `yaml:"replica"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // auto (text on a terminal), text, json
}

// Team is the company as customers see it when no person speaks.
type Team struct {
	Name      string `yaml:"name"`
	AvatarURL string `yaml:"avatar_url"`
	Greeting  string `yaml:"greeting"`
}

// Relay tunes how conversations are kept.
type Relay struct {
	ReopenWindow  time.Duration `yaml:"reopen_window"`
	NotePrefix    string        `yaml:"note_prefix"`
	CommandPrefix string        `yaml:"command_prefix"`
	// ReplyMode is "reply" (plain desk messages go to the customer) or
	// "note" (plain desk messages stay internal; !reply sends).
	ReplyMode  string        `yaml:"reply_mode"`
	UndoWindow time.Duration `yaml:"undo_window"`
}

// Outbox tunes the delivery worker.
type Outbox struct {
	Workers     int           `yaml:"workers"`
	MaxAttempts int           `yaml:"max_attempts"`
	BaseBackoff time.Duration `yaml:"base_backoff"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
	Lease       time.Duration `yaml:"lease"`
}

// Staff is one entry of the staff directory.
type Staff struct {
	ID         string     `yaml:"id"`
	Name       string     `yaml:"name"`
	Title      string     `yaml:"title"`
	AvatarURL  string     `yaml:"avatar_url"`
	Signature  string     `yaml:"signature"`
	Roles      []string   `yaml:"roles"`
	Identities Identities `yaml:"identities"`
}

// Identities are a staff member's user ids on the team-chat platforms.
type Identities struct {
	Telegram string `yaml:"telegram"`
	Slack    string `yaml:"slack"`
	Discord  string `yaml:"discord"`
}

// Desk is where staff answer: a Slack channel, a Discord channel or forum,
// or a Telegram forum supergroup.
type Desk struct {
	Name                string `yaml:"name"`
	Platform            string `yaml:"platform"`
	Channel             string `yaml:"channel"`
	Kind                string `yaml:"kind"` // thread, or forum (Discord)
	StaffFromMembership bool   `yaml:"staff_from_membership"`
	ReplyMode           string `yaml:"reply_mode"` // "" = relay.reply_mode
	// Hours are the desk's business hours; empty weekly hours mean always
	// open (no away message).
	Hours Hours `yaml:"hours"`
	// Acknowledge answers a new conversation inside hours with "someone
	// will answer", with the desk's real median first response when known.
	Acknowledge bool `yaml:"acknowledge"`
	// SLA sets response-time targets, counted in business hours.
	SLA SLA `yaml:"sla"`
	// Survey sends a one-tap satisfaction survey when a conversation
	// closes.
	Survey Survey `yaml:"survey"`
}

// Survey configures a desk's satisfaction surveys.
type Survey struct {
	Enabled bool `yaml:"enabled"`
	// Period: at most one survey per contact in it (0 = 30 days).
	Period time.Duration `yaml:"period"`
	// CommentWindow: the customer's next message this soon after rating
	// is taken as the comment (0 = 10 minutes).
	CommentWindow time.Duration `yaml:"comment_window"`
}

// Hours are a desk's business hours (see docs/service-levels.md).
type Hours struct {
	// TimeZone is an IANA zone name ("Europe/Berlin"); "" = UTC.
	TimeZone string `yaml:"time_zone"`
	// Weekly lines: "mon-fri 09:00-18:00", "sat 10:00-14:00", "fri
	// 22:00-06:00" (overnight).
	Weekly []string `yaml:"weekly"`
	// Holidays are closed dates, YYYY-MM-DD in TimeZone.
	Holidays []string `yaml:"holidays"`
}

// SLA is a desk's response-time targets; a zero target is none.
type SLA struct {
	// FirstResponse is the target for the first staff reply of a
	// conversation; NextResponse for the reply to a customer message
	// that follows a staff reply.
	FirstResponse time.Duration `yaml:"first_response"`
	NextResponse  time.Duration `yaml:"next_response"`
	// WarnAt is the share of a target (0 < WarnAt < 1) at which the thread
	// gets a warning; 0 = 0.8.
	WarnAt float64 `yaml:"warn_at"`
	// OnDuty is who warnings mention when nobody is assigned: a Slack user
	// group id (S…), a Discord role id, or a Telegram user id or @username.
	OnDuty string `yaml:"on_duty"`
	// Priorities override the targets per conversation priority.
	Priorities []PriorityTargets `yaml:"priorities"`
}

// PriorityTargets are the targets for one priority (low, normal, high,
// urgent); a zero target keeps the desk's.
type PriorityTargets struct {
	Priority      string        `yaml:"priority"`
	FirstResponse time.Duration `yaml:"first_response"`
	NextResponse  time.Duration `yaml:"next_response"`
}

// Route sends conversations from customer places to a desk.
type Route struct {
	Platform string `yaml:"platform"`
	Channel  string `yaml:"channel"` // "" = any
	Desk     string `yaml:"desk"`
}

// Snippet is a canned answer staff insert with !snippet NAME.
type Snippet struct {
	Name string `yaml:"name"`
	Text string `yaml:"text"`
}

// Ideas configures idea threads.
type Ideas struct {
	// Boards are where every post is an idea.
	Boards []Board `yaml:"boards"`
	// DailyNotices: past this many notices in DigestWindow, a person's
	// further notices leave together as one digest after DigestDelay.
	DailyNotices int           `yaml:"daily_notices"`
	DigestWindow time.Duration `yaml:"digest_window"`
	DigestDelay  time.Duration `yaml:"digest_delay"`
	// Moderation queues ideas for a moderator: "" none, "new" from
	// contacts younger than NewContactAge or tagged flagged, "all".
	Moderation    string        `yaml:"moderation"`
	NewContactAge time.Duration `yaml:"new_contact_age"`
}

// Answers configures self-help answers (docs/answers.md).
type Answers struct {
	// Suggest offers matching answers when a customer opens a new
	// conversation: "off" or "new_conversation".
	Suggest string `yaml:"suggest"`
	// Dir is a folder of Markdown files, one answer each, published (or
	// updated, by slug) at start; "" for none.
	Dir string `yaml:"dir"`
	// Limit caps the answers one suggestion or /help shows.
	Limit int `yaml:"limit"`
}

// Privacy configures the customer's /forget and retention
// (docs/privacy.md).
type Privacy struct {
	// SelfService is what a customer's /forget does: "off", "request"
	// (staff are asked in the desk) or "erase" (at once).
	SelfService string `yaml:"self_service"`
	// Retention erases conversations closed longer than this; 0 keeps
	// them.
	Retention time.Duration `yaml:"retention"`
	// FilesDir is where attachments are kept on SQLite ("" beside the
	// database: its file name + ".files"); PostgreSQL keeps them in the
	// database.
	FilesDir string `yaml:"files_dir"`
	// FileSizeLimit is the largest attachment kept, in bytes.
	FileSizeLimit int64 `yaml:"file_size_limit"`
	// ExportLinkTTL is how long a one-time export download link works.
	ExportLinkTTL time.Duration `yaml:"export_link_ttl"`
}

// Listening configures listening (docs/listening.md): community places
// where cornershop reads every message, and the rules that turn a match
// into a signal in a desk.
type Listening struct {
	// Window folds one rule's matches in one place into one signal while
	// each comes within Window of the one before.
	Window time.Duration    `yaml:"window"`
	Places []ListeningPlace `yaml:"places"`
	Rules  []ListeningRule  `yaml:"rules"`
}

// ListeningPlace is a Discord text channel, a Slack channel or a Telegram
// group the bot is in, where every message is matched against the rules.
type ListeningPlace struct {
	Platform string `yaml:"platform"`
	Channel  string `yaml:"channel"`
	// Name is what staff call it on signal cards and in stats ("#general").
	Name string `yaml:"name"`
}

// ListeningRule is words and phrases to listen for and the desk their
// signals go to.
type ListeningRule struct {
	Name  string   `yaml:"name"`
	Terms []string `yaml:"terms"`
	Desk  string   `yaml:"desk"`
	// NegativeOnly keeps only messages whose sentiment is negative.
	NegativeOnly bool `yaml:"negative_only"`
}

// Incidents configures incidents (docs/incidents.md).
type Incidents struct {
	// Desk names the desk whose channel holds incident threads; "" is the
	// first desk.
	Desk string `yaml:"desk"`
	// AutoLink links a new conversation matching an open incident's
	// keywords without asking staff.
	AutoLink bool `yaml:"auto_link"`
	// Broadcast are public places that get each incident's status as one
	// post edited in place with its updates.
	Broadcast []BroadcastPlace `yaml:"broadcast"`
}

// BroadcastPlace is a public channel or group for incident status posts.
type BroadcastPlace struct {
	Platform string `yaml:"platform"`
	Channel  string `yaml:"channel"`
}

// Board is an ideas board: a Discord forum channel, a Slack channel, or a
// topic of a Telegram forum group.
type Board struct {
	Platform string `yaml:"platform"`
	Channel  string `yaml:"channel"`
	Topic    string `yaml:"topic"` // Telegram: the topic's message_thread_id
}

// Telegram configures the Telegram bot.
type Telegram struct {
	Enabled       bool   `yaml:"enabled"`
	Token         Secret `yaml:"token"`
	APIURL        string `yaml:"api_url"`
	Mode          string `yaml:"mode"` // polling or webhook
	WebhookSecret Secret `yaml:"webhook_secret"`
	// WebhookMaxConnections is setWebhook's max_connections: how many
	// pushes Telegram keeps in flight at once (1-100). Concurrent pushes
	// share commits, so the default asks for Telegram's maximum, 100.
	WebhookMaxConnections int           `yaml:"webhook_max_connections"`
	PollTimeout           time.Duration `yaml:"poll_timeout"`
	// Groups are group chat ids whose messages to the bot are customer
	// places (private chats always are).
	Groups        []string `yaml:"groups"`
	FileSizeLimit int64    `yaml:"file_size_limit"`
	// Pacing is "published" (sends keep to Telegram's published limits:
	// ~1/s per chat, 20/min per group, 30/s overall) or "off" (no
	// client-side pacing, for an API server without limits such as the
	// emulators in `cornershop bench`; 429s are still honoured).
	Pacing string `yaml:"pacing"`
}

// Slack configures the Slack app.
type Slack struct {
	Enabled       bool   `yaml:"enabled"`
	BotToken      Secret `yaml:"bot_token"`
	AppToken      Secret `yaml:"app_token"`
	SigningSecret Secret `yaml:"signing_secret"`
	APIURL        string `yaml:"api_url"`
	Mode          string `yaml:"mode"` // socket or events
	// CustomerChannels are Slack Connect channels that are customer places
	// (DMs with the app always are).
	CustomerChannels []string `yaml:"customer_channels"`
	// Pacing is "published" (chat.postMessage keeps to ~1/s per channel,
	// short bursts allowed) or "off" (no client-side pacing, for an API
	// without limits such as the emulators in `cornershop bench`; 429s are
	// still honoured).
	Pacing string `yaml:"pacing"`
}

// Discord configures the Discord bot.
type Discord struct {
	Enabled           bool     `yaml:"enabled"`
	Token             Secret   `yaml:"token"`
	ApplicationID     string   `yaml:"application_id"`
	APIURL            string   `yaml:"api_url"`
	CommunityChannels []string `yaml:"community_channels"`
	CommunityTrigger  string   `yaml:"community_trigger"` // mention or any
	// PublicKey is the application's Ed25519 public key (hex, Developer
	// Portal → General Information); when set, /discord/interactions
	// serves Discord's Interactions Endpoint URL.
	PublicKey string `yaml:"public_key"`
	// Pacing is "published" (every REST call keeps to Discord's 50
	// requests a second) or "off" (for an API without limits such as the
	// emulators; buckets and 429s are still honoured).
	Pacing string `yaml:"pacing"`
}

// Default returns the configuration with every default filled in.
func Default() *Config {
	return &Config{
		Database: Database{Driver: SQLite, DSN: NewSecret("cornershop.db"), SQLiteSynchronous: "normal", SearchLanguage: "english"},
		HTTP:     HTTP{Listen: ":8080", ReadTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second},
		Log:      Log{Level: "info", Format: "auto"},
		Team: Team{
			Name:     "Support",
			Greeting: "Hi! Write your question here and a person from our team will answer.",
		},
		Ideas:     Ideas{DailyNotices: 3, DigestWindow: 24 * time.Hour, DigestDelay: time.Hour, NewContactAge: 24 * time.Hour},
		Answers:   Answers{Suggest: "off", Limit: 3},
		Privacy:   Privacy{SelfService: "off", FileSizeLimit: 50 << 20, ExportLinkTTL: time.Hour},
		Listening: Listening{Window: 5 * time.Minute},
		Relay:     Relay{ReopenWindow: 72 * time.Hour, NotePrefix: "//", CommandPrefix: "!", ReplyMode: "reply"},
		Outbox:    Outbox{Workers: 64, MaxAttempts: 12, BaseBackoff: time.Second, MaxBackoff: 10 * time.Minute, Lease: 2 * time.Minute},
		Telegram:  Telegram{APIURL: "https://api.telegram.org", Mode: "polling", WebhookMaxConnections: 100, PollTimeout: 50 * time.Second, FileSizeLimit: 20 << 20, Pacing: "published"},
		Slack:     Slack{APIURL: "https://slack.com/api/", Mode: "socket", Pacing: "published"},
		Discord:   Discord{APIURL: "https://discord.com/", CommunityTrigger: "mention", Pacing: "published"},
	}
}

// Webhook is one endpoint that outbound webhook events are posted to
// (docs/webhooks.md).
type Webhook struct {
	// Name identifies the endpoint in logs, metrics and the failure list:
	// lower-case letters, digits, - and _.
	Name string `yaml:"name"`
	// URL receives the POSTs; http or https.
	URL string `yaml:"url"`
	// Secret keys the X-Cornershop-Signature HMAC; required. Set it with
	// CORNERSHOP_WEBHOOKS_<i>_SECRET or _SECRET_FILE.
	Secret Secret `yaml:"secret"`
	// Events are the event types to send, exact ("idea.voted") or glob
	// ("conversation.*"); empty sends all.
	Events []string `yaml:"events"`
	// IncludeNotes sends internal notes as message.created too.
	IncludeNotes bool `yaml:"include_notes"`
	// MaxAttempts are the tries before a delivery fails for good [12];
	// MinBackoff the first retry delay [1m], doubled up to MaxBackoff
	// [6h]: about 20 hours in all.
	MaxAttempts int           `yaml:"max_attempts"`
	MinBackoff  time.Duration `yaml:"min_backoff"`
	MaxBackoff  time.Duration `yaml:"max_backoff"`
	// Timeout bounds one attempt [10s].
	Timeout time.Duration `yaml:"timeout"`
}
