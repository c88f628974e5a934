package slackfake

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// User is a Slack user.
type User struct {
	ID       string
	TeamID   string
	Name     string // handle
	RealName string
	Display  string
	Image    string
	IsBot    bool
}

// Channel is a channel, a Slack Connect shared channel or a DM.
type Channel struct {
	ID        string
	Name      string
	IsIM      bool
	Shared    bool     // is_ext_shared
	Members   []string // user ids
	DMWith    string   // for IMs
	IsPrivate bool
}

// Message is a message as Slack stores it.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	User     string // author user id ("" for bot posts)
	BotID    string // set on bot posts
	Username string // per-message username override
	IconURL  string
	Text     string
	Blocks   string // raw JSON
	Files    []string
	Edited   bool
	Deleted  bool
	Reacts   []string // reaction names the bot added
}

// Ephemeral is a message only one user saw (chat.postEphemeral); Slack
// keeps no copy, so it has no place in Messages.
type Ephemeral struct {
	Channel  string
	User     string
	ThreadTS string
	Text     string
}

// File is an uploaded file.
type File struct {
	ID      string
	Name    string
	Title   string
	Data    []byte
	Mime    string
	Channel string
	Thread  string
}

// AddUser creates a user in the home team (external: in a partner team,
// as in Slack Connect).
func (s *Server) AddUser(handle, realName, image string, external bool) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	u := User{ID: fmt.Sprintf("U%05d", s.seq), TeamID: s.o.TeamID, Name: handle, RealName: realName, Display: realName, Image: image}
	if external {
		u.TeamID = "TEXTERNAL"
	}
	s.users[u.ID] = u
	return u
}

// AddChannel creates a channel with members (the bot is always one).
func (s *Server) AddChannel(name string, shared bool, members ...User) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	c := &Channel{ID: fmt.Sprintf("C%05d", s.seq), Name: name, Shared: shared, Members: []string{s.botUser}}
	for _, m := range members {
		c.Members = append(c.Members, m.ID)
	}
	s.channels[c.ID] = c
	return *c
}

// DM returns the IM channel between the bot and u, creating it.
func (s *Server) DM(u User) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.dmLocked(u.ID)
}

func (s *Server) dmLocked(userID string) *Channel {
	for _, c := range s.channels {
		if c.IsIM && c.DMWith == userID {
			return c
		}
	}
	s.seq++
	c := &Channel{ID: fmt.Sprintf("D%05d", s.seq), IsIM: true, DMWith: userID, Members: []string{s.botUser, userID}}
	s.channels[c.ID] = c
	return c
}

// nextTS returns a fresh Slack timestamp: seconds.microseconds, unique
// per workspace here (Slack's are unique per channel).
func (s *Server) nextTS() string {
	s.tsSeq++
	sec := s.o.Now().Unix()
	return strconv.FormatInt(sec, 10) + "." + fmt.Sprintf("%06d", s.tsSeq%1000000)
}

func (s *Server) msgLocked(channel, ts string) *Message {
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// Messages returns copies of the messages in a channel; with thread set,
// only that thread (its root included), oldest first.
func (s *Server) Messages(channel, thread string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages[channel] {
		if thread == "" || m.TS == thread || m.ThreadTS == thread {
			cp := *m
			cp.Reacts = slices.Clone(m.Reacts)
			out = append(out, cp)
		}
	}
	return out
}

// BotMessages is Messages limited to the bot's posts.
func (s *Server) BotMessages(channel, thread string) []Message {
	var out []Message
	for _, m := range s.Messages(channel, thread) {
		if m.BotID != "" {
			out = append(out, m)
		}
	}
	return out
}

// FileData returns an uploaded file's bytes.
func (s *Server) FileData(id string) (File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[id]
	if !ok {
		return File{}, false
	}
	return *f, true
}

// SeedDemo creates a desk channel with two staff members and a Slack
// Connect customer with a shared channel.
func (s *Server) SeedDemo() (desk Channel, alice, bob, customer User, shared Channel) {
	alice = s.AddUser("alice", "Alice Martin", "https://example.com/alice.png", false)
	bob = s.AddUser("bob", "Bob Stone", "https://example.com/bob.png", false)
	customer = s.AddUser("dana", "Dana from Globex", "https://example.com/dana.png", true)
	desk = s.AddChannel("support-desk", false, alice, bob)
	shared = s.AddChannel("globex-acme", true, customer, alice)
	return
}

func (s *Server) now() time.Time { return s.o.Now() }

// DeleteChannel removes a channel, as when a workspace admin deletes it or
// a Slack Connect partner leaves: calls naming it then fail with
// channel_not_found. Its messages stay readable through Messages.
func (s *Server) DeleteChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.channels, id)
	s.notifyLocked()
}
