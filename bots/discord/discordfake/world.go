package discordfake

import (
	"slices"
	"strconv"
	"time"
)

// Channel types as Discord numbers them.
const (
	TypeText         = 0
	TypeDM           = 1
	TypePublicThread = 11
	TypeForum        = 15
)

// User is a Discord user.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Global   string `json:"global_name,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	Bot      bool   `json:"bot,omitempty"`
}

// Tag is a forum tag.
type Tag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Channel is a guild channel, a forum, a thread or a DM.
type Channel struct {
	ID          string
	Type        int
	GuildID     string
	ParentID    string
	Name        string
	Recipient   string // DMs
	Tags        []Tag  // forums
	AppliedTags []string
	Archived    bool
	Locked      bool
}

// Embed is the part of an embed tests look at.
type Embed struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Author      *struct {
		Name    string `json:"name"`
		IconURL string `json:"icon_url,omitempty"`
	} `json:"author,omitempty"`
	Fields []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields,omitempty"`
}

// Message is a message as Discord keeps it.
type Message struct {
	ID         string
	ChannelID  string
	Author     User
	WebhookID  string
	Username   string // webhook override
	AvatarURL  string // webhook override
	Content    string
	Embeds     []Embed
	Components string // raw JSON
	Files      map[string][]byte
	Reactions  []string // by the bot
	Pings      []string // who was notified: "@everyone", "@here", "<@id>", "<@&role>"
	Edited     bool
	Deleted    bool
	Reference  string
	At         time.Time
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
}

func (s *Server) newID() string {
	s.idSeq++
	return strconv.FormatInt(1200000000000000000+s.idSeq, 10)
}

// AddUser creates a user.
func (s *Server) AddUser(username, global string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := User{ID: s.newID(), Username: username, Global: global, Avatar: "a1b2c3"}
	s.users[u.ID] = u
	return u
}

// AddGuild creates a guild with members (the bot is always one).
func (s *Server) AddGuild(name string, members ...User) Guild {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Guild{ID: s.newID(), Name: name, Members: map[string]string{s.bot.ID: ""}}
	for _, m := range members {
		g.Members[m.ID] = ""
	}
	s.guilds[g.ID] = g
	return *g
}

// AddChannel creates a text channel (or, with forum, a forum channel whose
// tags are named tagNames).
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
	return *c
}

// Channel returns a channel's current state.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return Channel{}, false
	}
	cp := *c
	cp.Tags, cp.AppliedTags = slices.Clone(c.Tags), slices.Clone(c.AppliedTags)
	return cp, true
}

// Threads lists the threads under a channel, oldest first.
func (s *Server) Threads(parentID string) []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, c := range s.channels {
		if c.ParentID == parentID {
			cp := *c
			cp.AppliedTags = slices.Clone(c.AppliedTags)
			out = append(out, cp)
		}
	}
	slices.SortFunc(out, func(a, b Channel) int { return cmpID(a.ID, b.ID) })
	return out
}

func cmpID(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Messages returns copies of a channel's (or thread's) messages, oldest
// first, deleted ones included and marked.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		cp := *m
		cp.Pings = slices.Clone(m.Pings)
		cp.Reactions = slices.Clone(m.Reactions)
		out = append(out, cp)
	}
	return out
}

// BotMessages is Messages limited to the bot's and its webhooks' posts.
func (s *Server) BotMessages(channelID string) []Message {
	var out []Message
	for _, m := range s.Messages(channelID) {
		if m.Author.ID == s.bot.ID || m.WebhookID != "" {
			out = append(out, m)
		}
	}
	return out
}

// Pings returns every notification the bot's and its webhooks' messages
// caused, across all channels.
func (s *Server) Pings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ms := range s.messages {
		for _, m := range ms {
			if m.Author.ID == s.bot.ID || m.WebhookID != "" {
				out = append(out, m.Pings...)
			}
		}
	}
	return out
}

// Webhooks lists a channel's webhooks.
func (s *Server) Webhooks(channelID string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, w := range s.webhooks {
		if w.ChannelID == channelID {
			out = append(out, *w)
		}
	}
	return out
}

// Bot is the bot's user.
func (s *Server) Bot() User { return s.bot }

// SeedDemo creates a community guild with a support channel and a
// customer, and a staff guild with a desk channel, a forum desk (tags
// open, waiting, closed) and two staff members.
func (s *Server) SeedDemo() (customer, alice, bob User, community, support, desk, forum Channel) {
	customer = s.AddUser("erin", "Erin Player")
	alice = s.AddUser("alice", "Alice Martin")
	bob = s.AddUser("bob", "Bob Stone")
	cg := s.AddGuild("Acme Community", customer, alice)
	sg := s.AddGuild("Acme Staff", alice, bob)
	community = Channel{GuildID: cg.ID}
	support = s.AddChannel(cg.ID, "support", false)
	desk = s.AddChannel(sg.ID, "desk", false)
	forum = s.AddChannel(sg.ID, "desk-forum", true, "open", "waiting", "closed")
	return
}
