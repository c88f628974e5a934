package telegramfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// User is a Telegram account.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Chat types.
const (
	Private    = "private"
	Group      = "group"
	Supergroup = "supergroup"
)

// Chat is a private chat, a group or a supergroup (forum or not).
type Chat struct {
	ID      int64  `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title,omitempty"`
	IsForum bool   `json:"is_forum,omitempty"`
	// For private chats: the other user's name.
	FirstName string `json:"first_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Topic is a forum topic.
type Topic struct {
	ThreadID  int    `json:"message_thread_id"`
	Name      string `json:"name"`
	IconColor int    `json:"icon_color"`
	Closed    bool   `json:"-"`
	Deleted   bool   `json:"-"`
}

// File is an uploaded or user-sent file.
type File struct {
	ID       string
	UniqueID string
	Name     string
	MIME     string
	Data     []byte
	Path     string
}

// Message is a message in a chat, by a user or by the bot.
type Message struct {
	ID          int
	Chat        int64
	ThreadID    int // forum topic, 0 for none
	From        User
	Date        time.Time
	Text        string // as users see it: HTML tags removed
	HTML        string // the text as the bot sent it, when parse_mode was HTML
	ParseMode   string
	Caption     string
	ReplyTo     int
	ReplyMarkup json.RawMessage
	PhotoID     string
	DocumentID  string
	VoiceID     string
	Sticker     string
	Location    *[2]float64
	Edited      bool
	Deleted     bool
	Reactions   []string // set by the bot
}

type chat struct {
	Chat
	botAdmin  bool
	members   map[int64]string // user id -> status (member, administrator, creator)
	messages  []*Message
	topics    map[int]*Topic
	nextMsg   int
	blockedBy bool // private chat whose user blocked the bot
}

func (c *chat) msg(id int) *Message {
	for _, m := range c.messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// AddUser creates a user.
func (s *Server) AddUser(first, last, username string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	u := User{ID: s.nextID, FirstName: first, LastName: last, Username: username}
	s.users[u.ID] = u
	s.chats[u.ID] = &chat{Chat: Chat{ID: u.ID, Type: Private, FirstName: first, Username: username}, members: map[int64]string{u.ID: "member", s.bot.ID: "member"}, topics: map[int]*Topic{}}
	return u
}

// AddGroup creates a group (forum=false) or a forum supergroup whose
// members are the users given; the bot is a member, and an administrator
// with can_manage_topics when botAdmin.
func (s *Server) AddGroup(title string, forum, botAdmin bool, members ...User) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextGroup++
	c := &chat{Chat: Chat{ID: -1000000000000 - s.nextGroup, Type: Supergroup, Title: title, IsForum: forum}, botAdmin: botAdmin,
		members: map[int64]string{}, topics: map[int]*Topic{}}
	if !forum {
		c.ID, c.Type = -s.nextGroup, Group
	}
	c.members[s.bot.ID] = "member"
	if botAdmin {
		c.members[s.bot.ID] = "administrator"
	}
	for _, m := range members {
		c.members[m.ID] = "member"
	}
	s.chats[c.ID] = c
	return c.Chat
}

// Bot returns the bot's own user.
func (s *Server) Bot() User { return s.bot }

// Messages returns copies of every message in the chat (topic 0: all
// topics), oldest first.
func (s *Server) Messages(chatID int64, threadID int) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Message
	for _, m := range c.messages {
		if threadID == 0 || m.ThreadID == threadID {
			cp := *m
			cp.Reactions = slices.Clone(m.Reactions)
			out = append(out, cp)
		}
	}
	return out
}

// BotMessages is Messages limited to what the bot sent.
func (s *Server) BotMessages(chatID int64, threadID int) []Message {
	var out []Message
	for _, m := range s.Messages(chatID, threadID) {
		if m.From.ID == s.bot.ID {
			out = append(out, m)
		}
	}
	return out
}

// Topics returns the forum's topics by thread id.
func (s *Server) Topics(chatID int64) []Topic {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Topic
	for _, t := range c.topics {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b Topic) int { return a.ThreadID - b.ThreadID })
	return out
}

// FileData returns the bytes of a file the bot uploaded or a user sent.
func (s *Server) FileData(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[fileID]
	return f.Data, ok
}

// Block makes the user block the bot: sends to them fail with 403.
func (s *Server) Block(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[u.ID]; c != nil {
		c.blockedBy = true
	}
}

func (s *Server) addFile(name, mime string, data []byte) File {
	s.nextFile++
	f := File{ID: fmt.Sprintf("FILE%06d", s.nextFile), UniqueID: fmt.Sprintf("U%06d", s.nextFile), Name: name, MIME: mime, Data: data, Path: fmt.Sprintf("documents/file_%d_%s", s.nextFile, name)}
	s.files[f.ID] = f
	return f
}

// SeedDemo creates a customer with a private chat, a forum supergroup desk
// with the bot as admin, and a staff member in it.
func (s *Server) SeedDemo() (customer, staff User, desk Chat) {
	customer = s.AddUser("Carla", "Customer", "carla")
	staff = s.AddUser("Alice", "Martin", "alice_support")
	desk = s.AddGroup("Support desk", true, true, staff)
	return customer, staff, desk
}
