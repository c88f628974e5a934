package discordfake

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotFound is returned (wrapped) by the user API for an unknown
// channel, message or interaction.
var ErrNotFound = errors.New("discordfake: not found")

// Post is a message a user writes through SendMessage.
type Post struct {
	Content     string
	Attachments []Attachment // Filename and Data (ContentType optional)
	Embeds      []Embed
	ReplyTo     string // message id in the same channel
}

// Send makes u write content in a channel, thread or DM (see DMChannel)
// and dispatches MESSAGE_CREATE; mentions in content (<@id>, <@&id>,
// @everyone) are parsed and recorded in Pings.
func (s *Server) Send(channelID string, u User, content string) (Message, error) {
	return s.SendMessage(channelID, u, Post{Content: content})
}

// SendMessage is Send with attachments, embeds and a reply reference.
func (s *Server) SendMessage(channelID string, u User, p Post) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return Message{}, fmt.Errorf("discordfake: channel %s: %w", channelID, ErrNotFound)
	}
	in := map[string]any{"content": p.Content}
	if len(p.Embeds) > 0 {
		var embeds []any
		for _, e := range p.Embeds {
			var m map[string]any
			_ = jsonRoundTrip(e, &m)
			embeds = append(embeds, m)
		}
		in["embeds"] = embeds
	}
	if p.ReplyTo != "" {
		in["message_reference"] = map[string]any{"message_id": p.ReplyTo}
	}
	var files []upload
	for i, a := range p.Attachments {
		files = append(files, upload{field: fmt.Sprintf("files[%d]", i), name: a.Filename, contentType: a.ContentType, data: a.Data})
	}
	m, e := s.postMessage(c, u, "", in, files)
	if e != nil {
		return Message{}, fmt.Errorf("discordfake: send: %s (%d)", e.msg, e.code)
	}
	return copyMessage(m), nil
}

// DMChannel returns (creating) the DM channel between the bot and u.
func (s *Server) DMChannel(u User) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[u.ID]; !ok {
		s.users[u.ID] = u
	}
	_, out := s.createDM(u.ID)
	id := out.(map[string]any)["id"].(string)
	return copyChannel(s.channels[id])
}

// CloseDMs makes u refuse DMs from the bot (error 50007 on send).
func (s *Server) CloseDMs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dmClosed[u.ID] = true
}

// OpenDMs undoes CloseDMs.
func (s *Server) OpenDMs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.dmClosed, u.ID)
}

// Edit makes the author change a message's content (MESSAGE_UPDATE).
func (s *Server) Edit(channelID, id, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channelID, id)
	if m == nil {
		return fmt.Errorf("discordfake: message %s in %s: %w", id, channelID, ErrNotFound)
	}
	if _, e := s.editMessage(m, map[string]any{"content": content}, nil); e != nil {
		return fmt.Errorf("discordfake: edit: %s (%d)", e.msg, e.code)
	}
	return nil
}

// Delete makes the author delete a message (MESSAGE_DELETE).
func (s *Server) Delete(channelID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channelID, id)
	if m == nil {
		return fmt.Errorf("discordfake: message %s in %s: %w", id, channelID, ErrNotFound)
	}
	if e := s.deleteMessage(m); e != nil {
		return fmt.Errorf("discordfake: delete: %s (%d)", e.msg, e.code)
	}
	return nil
}

// React makes u add a reaction (Unicode emoji or name:id) to a message
// (MESSAGE_REACTION_ADD).
func (s *Server) React(channelID, id string, u User, emoji string) error {
	return s.react(channelID, id, u, emoji, true)
}

// Unreact makes u remove a reaction (MESSAGE_REACTION_REMOVE).
func (s *Server) Unreact(channelID, id string, u User, emoji string) error {
	return s.react(channelID, id, u, emoji, false)
}

func (s *Server) react(channelID, id string, u User, emoji string, add bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channelID, id)
	if m == nil {
		return fmt.Errorf("discordfake: message %s in %s: %w", id, channelID, ErrNotFound)
	}
	s.reactLocked(s.channels[channelID], m, u.ID, emoji, add)
	return nil
}

// ForumPost makes u create a post in a forum with tags (ids) and a first
// message; it returns the post (a thread) and its first message, which
// share an id.
func (s *Server) ForumPost(forumID string, u User, name, content string, tagIDs ...string) (Channel, Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.channels[forumID]
	if !ok || f.Type != TypeForum {
		return Channel{}, Message{}, fmt.Errorf("discordfake: forum %s: %w", forumID, ErrNotFound)
	}
	tags := []any{}
	for _, t := range tagIDs {
		tags = append(tags, t)
	}
	th, m, e := s.openThread(f, "", u, map[string]any{"name": name, "applied_tags": tags, "message": map[string]any{"content": content}}, nil)
	if e != nil {
		return Channel{}, Message{}, fmt.Errorf("discordfake: forum post: %s (%d)", e.msg, e.code)
	}
	return copyChannel(th), copyMessage(m), nil
}

// StartThread makes u start a public thread from a message (the thread
// shares its id) and dispatches THREAD_CREATE.
func (s *Server) StartThread(channelID, messageID string, u User, name string) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok || s.findLocked(channelID, messageID) == nil {
		return Channel{}, fmt.Errorf("discordfake: message %s in %s: %w", messageID, channelID, ErrNotFound)
	}
	th, e := s.makeThread(c, messageID, u.ID, map[string]any{"name": name})
	if e != nil {
		return Channel{}, fmt.Errorf("discordfake: thread: %s (%d)", e.msg, e.code)
	}
	return copyChannel(th), nil
}

// SetThread archives/unarchives and locks/unlocks a thread as a moderator
// would (THREAD_UPDATE).
func (s *Server) SetThread(threadID string, archived, locked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.channels[threadID]
	if !ok || !th.IsThread() {
		return fmt.Errorf("discordfake: thread %s: %w", threadID, ErrNotFound)
	}
	th.Archived, th.Locked = archived, locked
	s.dispatchLocked("THREAD_UPDATE", th.GuildID, s.channelJSON(th))
	return nil
}

func jsonRoundTrip(in, out any) error {
	return json.Unmarshal(mustJSON(in), out)
}
