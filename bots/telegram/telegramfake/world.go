package telegramfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// User is a Telegram account, serialised as the Bot API's User.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Chat types, as in Chat.type.
const (
	Private    = "private"
	Group      = "group"
	Supergroup = "supergroup"
)

// Chat member statuses, as in ChatMember.status.
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusLeft          = "left"
)

// Chat is a private chat, a group or a supergroup (forum or not),
// serialised as the Bot API's Chat. Private chats have the user's id;
// groups small negative ids; supergroups ids below -1000000000000.
type Chat struct {
	ID      int64  `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title,omitempty"`
	IsForum bool   `json:"is_forum,omitempty"`
	// For private chats: the other user's names.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Topic is a forum topic. ThreadID is the id of the service message that
// created it, as on Telegram.
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
	Path     string // file_path for /file/bot<token>/<path>
	thumb    string // photos: the id of the small size Telegram also lists
}

// Message is a message in a chat, by a user or by the bot, as the
// emulator keeps it (copies are returned; changing them changes nothing).
type Message struct {
	ID       int
	Chat     int64
	ThreadID int // forum topic, 0 for none (the General topic)
	From     User
	Date     time.Time
	// Text (or Caption) is what users see: HTML parsed, whitespace trimmed.
	Text string
	// HTML is the text or caption exactly as the bot sent it.
	HTML      string
	ParseMode string
	// Entities are the entities of Text or Caption, as Telegram returns them.
	Entities    []Entity
	Caption     string
	ReplyTo     int
	ReplyMarkup json.RawMessage // nil when the message has no keyboard
	PhotoID     string          // largest size
	DocumentID  string
	VoiceID     string
	Sticker     string // the sticker's emoji
	Location    *[2]float64
	Edited      bool
	EditDate    time.Time
	Deleted     bool
	Reactions   []string // set by the bot with setMessageReaction
}

// ActionKind names something the bot did.
type ActionKind string

// The kinds of Action.
const (
	ActSend           ActionKind = "send"         // sendMessage, sendPhoto, sendDocument, sendVoice
	ActEdit           ActionKind = "edit"         // editMessageText / editMessageCaption
	ActEditMarkup     ActionKind = "edit_markup"  // editMessageReplyMarkup
	ActDelete         ActionKind = "delete"       // deleteMessage
	ActTopicCreate    ActionKind = "topic_create" // createForumTopic
	ActTopicEdit      ActionKind = "topic_edit"
	ActTopicClose     ActionKind = "topic_close"
	ActTopicReopen    ActionKind = "topic_reopen"
	ActTopicDelete    ActionKind = "topic_delete"
	ActAnswerCallback ActionKind = "answer_callback" // answerCallbackQuery
	ActReact          ActionKind = "react"           // setMessageReaction
)

// Action is one successful state-changing call by the bot, in order.
type Action struct {
	Kind      ActionKind
	Method    string
	Chat      int64
	Thread    int // forum topic, 0 for none
	MessageID int // the message concerned (the topic's id for topic actions)
	// Text is the shown text or caption (send, edit), the topic name
	// (create, edit), the callback answer text or the reaction emoji.
	Text string
	At   time.Time
}

type chat struct {
	Chat
	members   map[int64]string // user id -> status
	messages  []*Message
	topics    map[int]*Topic
	nextMsg   int
	blockedBy bool                // private chat whose user blocked the bot
	reactions map[[2]int64]string // (message id, user id) -> emoji
}

func (c *chat) msg(id int) *Message {
	for _, m := range c.messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (c *chat) botAdmin(bot int64) bool {
	st := c.members[bot]
	return st == StatusAdministrator || st == StatusCreator
}

func newChat(ch Chat) *chat {
	return &chat{Chat: ch, members: map[int64]string{}, topics: map[int]*Topic{}, reactions: map[[2]int64]string{}}
}

// AddUser creates a user who has started the bot: their private chat
// exists and the bot may write to it.
func (s *Server) AddUser(first, last, username string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	u := User{ID: s.nextID, FirstName: first, LastName: last, Username: username}
	s.users[u.ID] = u
	c := newChat(Chat{ID: u.ID, Type: Private, FirstName: first, LastName: last, Username: username})
	c.members[u.ID], c.members[s.bot.ID] = StatusMember, StatusMember
	s.chats[u.ID] = c
	return u
}

// AddGroup creates a basic group (forum=false) or a forum supergroup
// (forum=true) whose members are the users given. The bot is a member,
// and an administrator with can_manage_topics and can_delete_messages when
// botAdmin. Non-admin bots run in privacy mode (see Options).
func (s *Server) AddGroup(title string, forum, botAdmin bool, members ...User) Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextGroup++
	ch := Chat{ID: -1000000000000 - s.nextGroup, Type: Supergroup, Title: title, IsForum: forum}
	if !forum {
		ch = Chat{ID: -s.nextGroup, Type: Group, Title: title}
	}
	c := newChat(ch)
	c.members[s.bot.ID] = StatusMember
	if botAdmin {
		c.members[s.bot.ID] = StatusAdministrator
	}
	for _, m := range members {
		c.members[m.ID] = StatusMember
	}
	s.chats[c.ID] = c
	return c.Chat
}

// AddForumSupergroup creates a forum supergroup with the bot as an
// administrator allowed to manage topics: a staff desk.
func (s *Server) AddForumSupergroup(title string, members ...User) Chat {
	return s.AddGroup(title, true, true, members...)
}

// AddSupergroup creates a supergroup without topics.
func (s *Server) AddSupergroup(title string, botAdmin bool, members ...User) Chat {
	ch := s.AddGroup(title, true, botAdmin, members...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats[ch.ID].IsForum = false
	return s.chats[ch.ID].Chat
}

// SetMemberStatus sets a user's (or the bot's) status in a group:
// StatusCreator, StatusAdministrator, StatusMember or StatusLeft.
func (s *Server) SetMemberStatus(chatID, userID int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.Type == Private {
		return fmt.Errorf("telegramfake: no group %d", chatID)
	}
	if status == StatusLeft {
		delete(c.members, userID)
		return nil
	}
	c.members[userID] = status
	return nil
}

// Bot returns the bot's own user.
func (s *Server) Bot() User { return s.bot }

// Messages returns copies of every message in the chat (threadID 0: all
// topics), oldest first, deleted ones included with Deleted set. Forum
// service messages are not listed.
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
			cp.Entities = slices.Clone(m.Entities)
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

// Actions returns what the bot did in a chat (threadID 0: everywhere in
// it), oldest first: sends, edits, deletes, topic operations, callback
// answers and reactions. Failed calls are not actions; see Calls.
func (s *Server) Actions(chatID int64, threadID int) []Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Action
	for _, a := range s.actions {
		if a.Chat == chatID && (threadID == 0 || a.Thread == threadID) {
			out = append(out, a)
		}
	}
	return out
}

// Topics returns the forum's topics (deleted ones with Deleted set) by
// thread id.
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

// Block makes the user block the bot: sends to them fail with 403
// "Forbidden: bot was blocked by the user".
func (s *Server) Block(u User) { s.setBlocked(u, true) }

// Unblock undoes Block.
func (s *Server) Unblock(u User) { s.setBlocked(u, false) }

func (s *Server) setBlocked(u User, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[u.ID]; c != nil {
		c.blockedBy = blocked
	}
}

// addFile stores a file; kind is the getFile folder (photos, documents,
// voice, stickers).
func (s *Server) addFile(kind, name, mime string, data []byte) File {
	s.nextFile++
	ext := extOf(name)
	switch kind {
	case "photos":
		ext = ".jpg"
	case "voice":
		ext = ".oga"
	}
	f := File{
		ID:       fmt.Sprintf("%s%d-%s", fileIDPrefix(kind), s.nextFile, "AAMCAgADGQEAAQ"),
		UniqueID: fmt.Sprintf("AgAD%05d", s.nextFile),
		Name:     name, MIME: mime, Data: data,
		Path: fmt.Sprintf("%s/file_%d%s", kind, s.nextFile, ext),
	}
	s.files[f.ID] = f
	s.paths[f.Path] = f.ID
	return f
}

// addPhoto stores a photo and the small size Telegram lists before it
// (different bytes, so a client that takes the first size shows).
func (s *Server) addPhoto(name string, data []byte) File {
	thumb := s.addFile("photos", "thumb_"+name, "image/jpeg", append([]byte("telegramfake thumbnail: "), data[:min(len(data), 16)]...))
	f := s.addFile("photos", name, "image/jpeg", data)
	f.thumb = thumb.ID
	s.files[f.ID] = f
	return f
}

// fileIDPrefix mimics the first bytes of Telegram's file ids per kind.
func fileIDPrefix(kind string) string {
	switch kind {
	case "photos":
		return "AgACAgI"
	case "voice":
		return "AwACAgI"
	case "stickers":
		return "CAACAgI"
	}
	return "BQACAgI"
}

func extOf(name string) string {
	for i := len(name) - 1; i >= 0 && i > len(name)-8; i-- {
		if name[i] == '.' {
			return name[i:]
		}
	}
	return ""
}

// SeedDemo creates a customer with a private chat, a forum supergroup desk
// with the bot as an administrator, and a staff member in it: enough for
// `cornershop emulate telegram` and for tests.
func (s *Server) SeedDemo() (customer, staff User, desk Chat) {
	customer = s.AddUser("Carla", "Customer", "carla")
	staff = s.AddUser("Alice", "Martin", "alice_support")
	desk = s.AddForumSupergroup("Support desk", staff)
	return customer, staff, desk
}
