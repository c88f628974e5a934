package discordfake

import (
	"encoding/json"
	"strconv"
	"time"
)

// Channel types as Discord numbers them.
const (
	TypeText          = 0
	TypeDM            = 1
	TypePublicThread  = 11
	TypePrivateThread = 12
	TypeForum         = 15
)

// User is a Discord user (or, as a message author, a webhook).
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Global   string `json:"global_name,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	Bot      bool   `json:"bot,omitempty"`
}

// AvatarURL is the CDN address of the user's avatar ("" without one), as
// Discord builds it.
func (u User) AvatarURL() string {
	if u.Avatar == "" {
		return ""
	}
	return "https://cdn.discordapp.com/avatars/" + u.ID + "/" + u.Avatar + ".png"
}

// Role is a guild role.
type Role struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tag is a forum tag.
type Tag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Channel is a guild text channel, a forum, a thread (forum posts are
// threads) or a DM. A thread started from a message has that message's id.
type Channel struct {
	ID          string
	Type        int
	GuildID     string
	ParentID    string
	Name        string
	Recipient   string   // DMs: the user
	Tags        []Tag    // forums: available tags
	AppliedTags []string // threads: applied tag ids
	Archived    bool
	Locked      bool
	OwnerID     string // threads: who created it
}

// IsThread reports whether the channel is a thread or forum post.
func (c Channel) IsThread() bool { return c.Type == TypePublicThread || c.Type == TypePrivateThread }

// EmbedAuthor is an embed's author line.
type EmbedAuthor struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	IconURL string `json:"icon_url,omitempty"`
}

// EmbedField is one name/value field of an embed.
type EmbedField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// EmbedFooter is an embed's footer.
type EmbedFooter struct {
	Text    string `json:"text"`
	IconURL string `json:"icon_url,omitempty"`
}

// Embed is a rich embed as sent.
type Embed struct {
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Color       int          `json:"color,omitempty"`
	Author      *EmbedAuthor `json:"author,omitempty"`
	Fields      []EmbedField `json:"fields,omitempty"`
	Footer      *EmbedFooter `json:"footer,omitempty"`
}

// Attachment is a file attached to a message, in upload order.
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	Data        []byte
}

// Message is a message as Discord keeps it. Author is the webhook (id =
// webhook id, username = override or webhook name) for webhook messages.
type Message struct {
	ID          string
	ChannelID   string
	Author      User
	WebhookID   string
	Username    string // webhook username override
	AvatarURL   string // webhook avatar_url override
	Content     string
	Embeds      []Embed
	Components  string // raw JSON, "" none
	Files       map[string][]byte
	Attachments []Attachment
	Flags       int
	// AllowedMentions is the raw allowed_mentions of the last send or
	// edit, nil when it was absent.
	AllowedMentions json.RawMessage
	// Reactions are the emojis the bot reacted with (still present).
	Reactions []string
	// ReactedBy maps each emoji to the users who reacted with it.
	ReactedBy map[string][]string
	// Pings are who was notified by the current version: "@everyone",
	// "@here", "<@userID>", "<@&roleID>".
	Pings []string
	// Edits holds the content of each previous version, oldest first.
	Edits         []string
	Edited        bool
	Deleted       bool
	Reference     string // message_reference.message_id (replies)
	InteractionID string // set on interaction responses and followups
	// Nonce is the nonce the message was created with, "" none.
	Nonce string
	At    time.Time
}

// Webhook is a channel webhook.
type Webhook struct {
	ID        string `json:"id"`
	Token     string `json:"token"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id,omitempty"`
	Name      string `json:"name"`
	Type      int    `json:"type"`
}

// Guild is a server.
type Guild struct {
	ID      string
	Name    string
	Members map[string]string // user id -> nick ("" none)
	Roles   []Role
}

// Action is one thing the bot did, as recorded in order by Actions.
type Action struct {
	Seq       int
	Kind      string // "send", "edit", "delete", "react", "unreact", "thread", "thread_update", "webhook_create", "interaction_response", "followup"
	ChannelID string // channel or thread
	MessageID string
	Detail    string // content, emoji, thread name, response type...
	At        time.Time
}

func (s *Server) newID() string {
	s.idSeq++
	// Snowflake: ms since the Discord epoch << 22 | increment.
	ms := s.o.Now().UnixMilli() - 1420070400000
	if ms < 0 {
		ms = 0
	}
	return strconv.FormatInt(ms<<22|(s.idSeq&0x3fffff), 10)
}

func (s *Server) recordLocked(kind, channelID, messageID, detail string) {
	s.actions = append(s.actions, Action{Seq: len(s.actions) + 1, Kind: kind, ChannelID: channelID, MessageID: messageID, Detail: detail, At: s.o.Now()})
}

// AddUser creates a user with an avatar.
func (s *Server) AddUser(username, global string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{ID: s.newID(), Username: username, Global: global}
	u.Avatar = "a" + u.ID[len(u.ID)-6:]
	s.users[u.ID] = u
	return u
}

// AddBotUser creates another bot user (not the emulated bot).
func (s *Server) AddBotUser(username string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{ID: s.newID(), Username: username, Bot: true}
	s.users[u.ID] = u
	return u
}

// AddGuild creates a guild with members (the bot is always one).
func (s *Server) AddGuild(name string, members ...User) Guild {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Guild{ID: s.newID(), Name: name, Members: map[string]string{s.bot.ID: ""}}
	g.Roles = []Role{{ID: g.ID, Name: "@everyone"}}
	for _, m := range members {
		g.Members[m.ID] = ""
	}
	s.guilds[g.ID] = g
	return s.guildCopy(g)
}

func (s *Server) guildCopy(g *Guild) Guild {
	cp := *g
	cp.Members = make(map[string]string, len(g.Members))
	for k, v := range g.Members {
		cp.Members[k] = v
	}
	cp.Roles = append([]Role(nil), g.Roles...)
	return cp
}

// AddMember adds u to a guild with a nickname ("" none).
func (s *Server) AddMember(guildID string, u User, nick string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.guilds[guildID]; ok {
		g.Members[u.ID] = nick
	}
}

// AddRole creates a role in a guild.
func (s *Server) AddRole(guildID, name string) Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := Role{ID: s.newID(), Name: name}
	if g, ok := s.guilds[guildID]; ok {
		g.Roles = append(g.Roles, r)
	}
	return r
}

// AddChannel creates a text channel (or, with forum, a forum channel whose
// tags are named tagNames). Kept for callers; see AddTextChannel and
// AddForumChannel.
func (s *Server) AddChannel(guildID, name string, forum bool, tagNames ...string) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Channel{ID: s.newID(), Type: TypeText, GuildID: guildID, Name: name}
	if forum {
		c.Type = TypeForum
		for _, t := range tagNames {
			c.Tags = append(c.Tags, Tag{ID: s.newID(), Name: t})
		}
	}
	s.channels[c.ID] = c
	s.dispatchLocked("CHANNEL_CREATE", guildID, s.channelJSON(c))
	return copyChannel(c)
}

// AddTextChannel creates a text channel in a guild.
func (s *Server) AddTextChannel(guildID, name string) Channel {
	return s.AddChannel(guildID, name, false)
}

// AddForumChannel creates a forum channel with the named available tags.
func (s *Server) AddForumChannel(guildID, name string, tagNames ...string) Channel {
	return s.AddChannel(guildID, name, true, tagNames...)
}

// Demo is what SeedDemo made.
type Demo struct {
	Customer, Alice, Bob User    // Alice and Bob are staff with avatars
	Community, Staff     Guild   // the customers' guild and the staff guild
	Support              Channel // text channel in Community
	Desk                 Channel // text channel in Staff
	Forum                Channel // forum in Staff with tags open, waiting, closed
}

// SeedDemo creates a community guild with a support channel and a
// customer, and a staff guild with a desk channel, a forum desk (tags
// open, waiting, closed) and two staff members. community carries only
// the guild id. See SeedDemoWorld for the guilds themselves.
func (s *Server) SeedDemo() (customer, alice, bob User, community, support, desk, forum Channel) {
	d := s.SeedDemoWorld()
	return d.Customer, d.Alice, d.Bob, Channel{GuildID: d.Community.ID}, d.Support, d.Desk, d.Forum
}

// SeedDemoWorld is SeedDemo returning everything it made.
func (s *Server) SeedDemoWorld() Demo {
	var d Demo
	d.Customer = s.AddUser("erin", "Erin Player")
	d.Alice = s.AddUser("alice", "Alice Martin")
	d.Bob = s.AddUser("bob", "Bob Stone")
	d.Community = s.AddGuild("Acme Community", d.Customer, d.Alice)
	d.Staff = s.AddGuild("Acme Staff", d.Alice, d.Bob)
	d.Support = s.AddTextChannel(d.Community.ID, "support")
	d.Desk = s.AddTextChannel(d.Staff.ID, "desk")
	d.Forum = s.AddForumChannel(d.Staff.ID, "desk-forum", "open", "waiting", "closed")
	return d
}

// DeleteChannel removes a channel or thread, as when a moderator deletes
// it: REST calls naming it then fail with 10003 Unknown Channel. Its
// messages stay readable through Messages.
func (s *Server) DeleteChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
	s.notifyLocked()
}

// DenyThreads takes from the bot the permission to start threads in a
// channel (CREATE_PUBLIC_THREADS): starting one there, from a message or
// not, answers 403 Missing Permissions (50013), as Discord does; posting
// messages there still works.
func (s *Server) DenyThreads(channelID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noThreads[channelID] = true
}
