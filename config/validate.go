package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

var staffID = regexp.MustCompile(`^[a-z0-9_-]+$`)

// searchLanguage is a text search configuration's name, safe to name in SQL.
var searchLanguage = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// problems collects validation problems.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) oneOf(path, got string, want ...string) {
	if !slices.Contains(want, got) {
		ps.add(path, "%q is not one of %s", got, strings.Join(want, ", "))
	}
}

func (ps *problems) url(path, u string, required bool) {
	if u == "" {
		if required {
			ps.add(path, "required")
		}
		return
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		ps.add(path, "%q is not an http(s) URL", u)
	}
}

// validate checks everything that can be checked without the network.
// undecoded holds the key paths whose value the file gave with the wrong
// type: checks that depend on them are skipped, so one mistake is reported
// once.
func (c *Config) validate(undecoded map[string]bool) []Problem {
	var ps problems
	if !c.Database.Driver.Valid() {
		ps.add("database.driver", "%q is not one of sqlite, postgres", c.Database.Driver)
	}
	if c.Database.DSN.IsZero() {
		ps.add("database.dsn", "required")
	}
	ps.oneOf("database.sqlite_synchronous", c.Database.SQLiteSynchronous, "normal", "full")
	if !searchLanguage.MatchString(c.Database.SearchLanguage) {
		ps.add("database.search_language", "%q is not a text search configuration name (letters, digits, _)", c.Database.SearchLanguage)
	}
	c.API.validate(&ps)
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		ps.add("http.listen", "%q is not host:port", c.HTTP.Listen)
	}
	if a := c.HTTP.AdminListen; a != "" {
		if _, _, err := net.SplitHostPort(a); err != nil {
			ps.add("http.admin_listen", "%q is not host:port", a)
		} else if a == c.HTTP.Listen {
			ps.add("http.admin_listen", "is http.listen too: leave it empty to serve everything there")
		}
	}
	ps.url("http.public_url", c.HTTP.PublicURL, false)
	if c.HTTP.ReadTimeout <= 0 {
		ps.add("http.read_timeout", "must be positive")
	}
	if c.HTTP.IdleTimeout <= 0 {
		ps.add("http.idle_timeout", "must be positive")
	}
	ps.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	ps.oneOf("log.format", c.Log.Format, "auto", "text", "json")
	ps.url("team.avatar_url", c.Team.AvatarURL, false)
	if c.Team.Name == "" {
		ps.add("team.name", "required: it signs anonymous replies")
	}
	if c.Database.MaxOpenConns < 0 {
		ps.add("database.max_open_conns", "cannot be negative (0 = the store's default)")
	}
	if c.Database.Commits < 0 || c.Database.Commits > 32 {
		ps.add("database.commits", "must be between 0 (the default, 2 on PostgreSQL) and 32")
	}
	ps.oneOf("relay.reply_mode", c.Relay.ReplyMode, "reply", "note")
	switch r := c.Relay; {
	case r.NotePrefix == "":
		ps.add("relay.note_prefix", "required")
	case r.CommandPrefix == "":
		ps.add("relay.command_prefix", "required")
	case r.NotePrefix == r.CommandPrefix:
		ps.add("relay.command_prefix", "%q is also relay.note_prefix", r.CommandPrefix)
	}
	if c.Relay.ReopenWindow < 0 {
		ps.add("relay.reopen_window", "cannot be negative")
	}
	if c.Relay.UndoWindow < 0 {
		ps.add("relay.undo_window", "cannot be negative")
	}
	o := c.Outbox
	if o.Workers < 1 {
		ps.add("outbox.workers", "must be at least 1")
	}
	if o.MaxAttempts < 1 {
		ps.add("outbox.max_attempts", "must be at least 1")
	}
	if o.BaseBackoff <= 0 {
		ps.add("outbox.base_backoff", "must be positive")
	}
	if o.MaxBackoff < o.BaseBackoff {
		ps.add("outbox.max_backoff", "%s is less than outbox.base_backoff (%s)", o.MaxBackoff, o.BaseBackoff)
	}
	if o.Lease <= 0 {
		ps.add("outbox.lease", "must be positive")
	}

	enabled := map[string]bool{"telegram": c.Telegram.Enabled, "slack": c.Slack.Enabled, "discord": c.Discord.Enabled}
	c.validateStaff(&ps)
	c.validateWebhooks(&ps)
	desks := map[string]bool{}
	for i, d := range c.Desks {
		p := fmt.Sprintf("desks[%d]", i)
		if d.Name == "" {
			ps.add(p+".name", "required")
		} else if desks[d.Name] {
			ps.add(p+".name", "%q names two desks", d.Name)
		}
		desks[d.Name] = true
		if _, known := enabled[d.Platform]; !known {
			ps.add(p+".platform", "%q is not one of telegram, slack, discord", d.Platform)
		} else if !enabled[d.Platform] && !undecoded[d.Platform+".enabled"] {
			ps.add(p+".platform", "%s is not enabled", d.Platform)
		}
		if d.Channel == "" {
			ps.add(p+".channel", "required")
		}
		ps.oneOf(p+".kind", d.Kind, "thread", "forum")
		if d.Kind == "forum" && d.Platform != "discord" {
			ps.add(p+".kind", "forum desks exist only on discord")
		}
		validateService(&ps, p, d)
		if d.ReplyMode != "" {
			ps.oneOf(p+".reply_mode", d.ReplyMode, "reply", "note")
		}
	}
	kinds := map[string]bool{}
	for _, d := range c.Desks {
		if d.Platform == "discord" {
			kinds[d.Kind] = true
		}
	}
	if len(kinds) > 1 {
		ps.add("desks", "discord desks must all be threads or all be forums")
	}
	anyEnabled := c.Telegram.Enabled || c.Slack.Enabled || c.Discord.Enabled
	if anyEnabled && len(c.Desks) == 0 {
		ps.add("desks", "at least one desk is required when a platform is enabled")
	}
	ps.oneOf("ideas.moderation", c.Ideas.Moderation, "", "new", "all")
	for i, b := range c.Incidents.Broadcast {
		p := fmt.Sprintf("incidents.broadcast[%d]", i)
		ps.oneOf(p+".platform", b.Platform, "telegram", "slack", "discord")
		if b.Channel == "" {
			ps.add(p+".channel", "required")
		}
	}
	if c.Incidents.Desk != "" && !desks[c.Incidents.Desk] {
		ps.add("incidents.desk", "no desk is named %q", c.Incidents.Desk)
	}
	ps.oneOf("answers.suggest", c.Answers.Suggest, "off", "new_conversation")
	ps.oneOf("privacy.self_service", c.Privacy.SelfService, "off", "request", "erase")
	if c.Privacy.Retention < 0 || (c.Privacy.Retention > 0 && c.Privacy.Retention < 24*time.Hour) {
		ps.add("privacy.retention", "must be 0 (keep) or at least 24h")
	}
	if c.Privacy.ExportLinkTTL < 0 || (c.Privacy.ExportLinkTTL > 0 && c.Privacy.ExportLinkTTL < time.Minute) {
		ps.add("privacy.export_link_ttl", "must be at least 1m")
	}
	if c.Privacy.FileSizeLimit < 1 {
		ps.add("privacy.file_size_limit", "must be at least 1 byte")
	}
	if c.Answers.Limit < 1 || c.Answers.Limit > 5 {
		ps.add("answers.limit", "must be between 1 and 5")
	}
	if c.Ideas.DailyNotices < 0 {
		ps.add("ideas.daily_notices", "must not be negative")
	}
	for i, b := range c.Ideas.Boards {
		p := fmt.Sprintf("ideas.boards[%d]", i)
		ps.oneOf(p+".platform", b.Platform, "telegram", "slack", "discord")
		if b.Channel == "" {
			ps.add(p+".channel", "required")
		}
		if b.Topic != "" && b.Platform != "telegram" {
			ps.add(p+".topic", "only Telegram boards are topics")
		}
		if slices.ContainsFunc(c.Desks, func(d Desk) bool { return d.Platform == b.Platform && d.Channel == b.Channel }) {
			ps.add(p+".channel", "%q is a desk; a board needs a channel of its own", b.Channel)
		}
	}
	c.validateListening(&ps, desks)
	for i, r := range c.Routes {
		p := fmt.Sprintf("routes[%d]", i)
		ps.oneOf(p+".platform", r.Platform, "telegram", "slack", "discord")
		if !desks[r.Desk] {
			ps.add(p+".desk", "%q names no desk", r.Desk)
		}
	}
	snippets := map[string]bool{}
	for i, s := range c.Snippets {
		p := fmt.Sprintf("snippets[%d]", i)
		if s.Name == "" || strings.ContainsAny(s.Name, " \t") {
			ps.add(p+".name", "required, one word")
		} else if snippets[strings.ToLower(s.Name)] {
			ps.add(p+".name", "%q names two snippets", s.Name)
		}
		snippets[strings.ToLower(s.Name)] = true
		if s.Text == "" {
			ps.add(p+".text", "required")
		}
	}
	c.validatePlatforms(&ps)
	return ps
}

func (c *Config) validateStaff(ps *problems) {
	ids := map[string]bool{}
	seen := map[string]string{} // "platform:user" -> staff path
	for i, s := range c.Staff {
		p := fmt.Sprintf("staff[%d]", i)
		switch {
		case !staffID.MatchString(s.ID):
			ps.add(p+".id", "%q must be lower-case letters, digits, - or _", s.ID)
		case ids[s.ID]:
			ps.add(p+".id", "%q names two staff members", s.ID)
		}
		ids[s.ID] = true
		if s.Name == "" {
			ps.add(p+".name", "required: customers see it")
		}
		ps.url(p+".avatar_url", s.AvatarURL, false)
		for j, r := range s.Roles {
			if r != "agent" && r != "moderator" && r != "admin" {
				ps.add(fmt.Sprintf("%s.roles[%d]", p, j), "unknown role %q (want agent, moderator, admin)", r)
			}
		}
		any := false
		for _, id := range []struct{ platform, uid string }{
			{"telegram", s.Identities.Telegram}, {"slack", s.Identities.Slack}, {"discord", s.Identities.Discord},
		} {
			platform, uid := id.platform, id.uid
			if uid == "" {
				continue
			}
			any = true
			key := platform + ":" + uid
			if other, dup := seen[key]; dup {
				ps.add(p+".identities."+platform, "%q is also %s's", uid, other)
			}
			seen[key] = p
		}
		if !any {
			ps.add(p+".identities", "at least one platform user id is required")
		}
	}
}

func (c *Config) validatePlatforms(ps *problems) {
	if t := c.Telegram; t.Enabled {
		if t.Token.IsZero() {
			ps.add("telegram.token", "required when telegram.enabled is true")
		}
		ps.url("telegram.api_url", t.APIURL, true)
		ps.oneOf("telegram.mode", t.Mode, "polling", "webhook")
		ps.oneOf("telegram.pacing", t.Pacing, "published", "off")
		if t.Mode == "webhook" {
			if t.WebhookSecret.IsZero() {
				ps.add("telegram.webhook_secret", "required in webhook mode")
			}
			if c.HTTP.PublicURL == "" {
				ps.add("http.public_url", "required for telegram webhook mode")
			}
			if t.WebhookMaxConnections < 1 || t.WebhookMaxConnections > 100 {
				ps.add("telegram.webhook_max_connections", "must be between 1 and 100 (Telegram's limits)")
			}
		}
		if t.FileSizeLimit <= 0 {
			ps.add("telegram.file_size_limit", "must be positive")
		}
	}
	if s := c.Slack; s.Enabled {
		if s.BotToken.IsZero() {
			ps.add("slack.bot_token", "required when slack.enabled is true")
		}
		ps.url("slack.api_url", s.APIURL, true)
		ps.oneOf("slack.mode", s.Mode, "socket", "events")
		ps.oneOf("slack.pacing", s.Pacing, "published", "off")
		if s.Mode == "socket" && s.AppToken.IsZero() {
			ps.add("slack.app_token", "required in socket mode")
		}
		if s.Mode == "events" && s.SigningSecret.IsZero() {
			ps.add("slack.signing_secret", "required in events mode")
		}
	}
	if d := c.Discord; d.Enabled {
		if d.Token.IsZero() {
			ps.add("discord.token", "required when discord.enabled is true")
		}
		ps.url("discord.api_url", d.APIURL, true)
		ps.oneOf("discord.community_trigger", d.CommunityTrigger, "mention", "any")
		ps.oneOf("discord.pacing", d.Pacing, "published", "off")
		if k, err := hex.DecodeString(d.PublicKey); d.PublicKey != "" && (err != nil || len(k) != 32) {
			ps.add("discord.public_key", "want the application's public key: 64 hexadecimal digits")
		}
	}
}

// apiTokenName is what an API token may be called.
var apiTokenName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func (a API) validate(ps *problems) {
	seen := map[string]bool{}
	for i, t := range a.Tokens {
		path := fmt.Sprintf("api.tokens[%d]", i)
		switch {
		case !apiTokenName.MatchString(t.Name):
			ps.add(path+".name", "%q: want lower-case letters, digits, _ and -", t.Name)
		case seen[t.Name]:
			ps.add(path+".name", "%q is used by another token", t.Name)
		}
		seen[t.Name] = true
		switch {
		case t.Secret.IsZero():
			ps.add(path+".secret", "required (CORNERSHOP_API_TOKENS_%d_SECRET or its _FILE)", i)
		case len(t.Secret.Reveal()) < 32:
			ps.add(path+".secret", "too short: at least 32 characters")
		}
		if len(t.Scopes) == 0 {
			ps.add(path+".scopes", "required: read, write or admin")
		}
		for j, sc := range t.Scopes {
			ps.oneOf(fmt.Sprintf("%s.scopes[%d]", path, j), sc, "read", "write", "admin")
		}
	}
}
