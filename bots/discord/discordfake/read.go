package discordfake

import (
	"maps"
	"slices"
)

func copyChannel(c *Channel) Channel {
	cp := *c
	cp.Tags, cp.AppliedTags = slices.Clone(c.Tags), slices.Clone(c.AppliedTags)
	return cp
}

func copyMessage(m *Message) Message {
	cp := *m
	cp.Pings = slices.Clone(m.Pings)
	cp.Reactions = slices.Clone(m.Reactions)
	cp.Embeds = slices.Clone(m.Embeds)
	cp.Edits = slices.Clone(m.Edits)
	cp.Attachments = slices.Clone(m.Attachments)
	cp.AllowedMentions = slices.Clone(m.AllowedMentions)
	cp.Files = maps.Clone(m.Files)
	cp.ReactedBy = map[string][]string{}
	for k, v := range m.ReactedBy {
		cp.ReactedBy[k] = slices.Clone(v)
	}
	return cp
}

// Channel returns a channel's (or thread's) current state.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return Channel{}, false
	}
	return copyChannel(c), true
}

// Guild returns a guild's current state.
func (s *Server) Guild(id string) (Guild, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.guilds[id]
	if !ok {
		return Guild{}, false
	}
	return s.guildCopy(g), true
}

// Threads lists the threads (and forum posts) under a channel, oldest
// first.
func (s *Server) Threads(parentID string) []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, c := range s.channels {
		if c.ParentID == parentID {
			out = append(out, copyChannel(c))
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
// first, deleted ones included and marked. Ephemeral interaction
// responses are not channel messages; see Interaction.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		out = append(out, copyMessage(m))
	}
	return out
}

// Message returns one message by channel and id (deleted ones too).
func (s *Server) Message(channelID, id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.messages[channelID] {
		if m.ID == id {
			return copyMessage(m), true
		}
	}
	return Message{}, false
}

func (s *Server) byBot(m *Message) bool {
	if m.Author.ID == s.bot.ID {
		return true
	}
	if m.WebhookID == "" {
		return false
	}
	_, ours := s.webhooks[m.WebhookID]
	return ours || m.WebhookID == s.o.ApplicationID
}

// BotMessages is Messages limited to the bot's and its webhooks' posts.
func (s *Server) BotMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channelID] {
		if s.byBot(m) {
			out = append(out, copyMessage(m))
		}
	}
	return out
}

// Pings returns every notification the bot's and its webhooks' messages
// (current versions, deleted ones excluded) caused, across all channels.
// Tests assert it is empty to prove nobody was pinged.
func (s *Server) Pings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, ms := range s.messages {
		for _, m := range ms {
			if s.byBot(m) && !m.Deleted {
				out = append(out, m.Pings...)
			}
		}
	}
	return out
}

// PingLog returns every ping any bot send or edit ever caused, in order,
// including those of messages later edited or deleted.
func (s *Server) PingLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.allPings)
}

// Webhooks lists a channel's webhooks, oldest first.
func (s *Server) Webhooks(channelID string) []Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Webhook
	for _, w := range s.webhooks {
		if w.ChannelID == channelID {
			out = append(out, *w)
		}
	}
	slices.SortFunc(out, func(a, b Webhook) int { return cmpID(a.ID, b.ID) })
	return out
}

// Actions returns everything the bot did through REST, in order. With a
// channelID it is limited to that channel or thread.
func (s *Server) Actions(channelID string) []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Action
	for _, a := range s.actions {
		if channelID == "" || a.ChannelID == channelID {
			out = append(out, a)
		}
	}
	return out
}

// Bot is the bot's user.
func (s *Server) Bot() User { return s.bot }

// User returns a user by id.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	return u, ok
}
