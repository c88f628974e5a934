package discordfake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"cornershop/bots/internal/emu"
)

// UserAPI is the emulator's user-side HTTP API (docs/playground.md): list
// users and channels (DMs, text channels, forums), read a channel with
// its threads as its members see it, write as a user (in a thread with
// "thread": the thread's id), press a button (id: custom_id), and follow
// changes as server-sent events. Handler serves it under /emulator/.
func (s *Server) UserAPI() http.Handler { return emu.UserAPI(userSide{s}, &s.mu, s.changed, s.closed) }

// userSide adapts the emulator to emu.UserSide.
type userSide struct{ s *Server }

func person(x User) emu.Person {
	return emu.Person{ID: x.ID, Name: cmp.Or(x.Global, x.Username), Handle: x.Username, Avatar: x.AvatarURL(), Bot: x.Bot}
}

func (u userSide) People() []emu.Person {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return emu.People(maps.Values(u.s.users), person)
}

func (s *Server) roomLocked(c *Channel) emu.Room {
	r := emu.Room{ID: c.ID, Kind: "channel", Title: "#" + c.Name}
	if c.Type == TypeDM {
		r.Kind, r.Members = "dm", []string{c.Recipient, s.bot.ID}
		r.Title = person(s.users[c.Recipient]).Name
		return r
	}
	if c.Type == TypeForum {
		r.Kind = "forum"
	}
	if g := s.guilds[c.GuildID]; g != nil {
		r.Title = g.Name + " " + r.Title
		for id := range g.Members {
			r.Members = append(r.Members, id)
		}
		slices.SortFunc(r.Members, cmpID)
	}
	return r
}

func (u userSide) Rooms() []emu.Room {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []emu.Room
	for _, c := range s.channels {
		if !c.IsThread() {
			out = append(out, s.roomLocked(c))
		}
	}
	slices.SortFunc(out, func(a, b emu.Room) int { return cmpID(a.ID, b.ID) })
	return out
}

// channelLocked finds a channel users can open (not a thread).
func (u userSide) channelLocked(id string) (*Channel, error) {
	c, ok := u.s.channels[id]
	if !ok || c.IsThread() {
		return nil, fmt.Errorf("discordfake: channel %q: %w", id, emu.ErrNotFound)
	}
	return c, nil
}

// threadsLocked lists a channel's threads, oldest first.
func (s *Server) threadsLocked(parent string) []*Channel {
	var out []*Channel
	for _, c := range s.channels {
		if c.ParentID == parent && c.IsThread() {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *Channel) int { return cmpID(a.ID, b.ID) })
	return out
}

func (u userSide) View(id string) (emu.View, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := u.channelLocked(id)
	if err != nil {
		return emu.View{}, err
	}
	v := emu.View{Room: s.roomLocked(c), Threads: []emu.Thread{}, Messages: []emu.Post{}}
	for _, m := range s.messages[c.ID] {
		v.Messages = append(v.Messages, s.postLocked(m, ""))
	}
	for _, th := range s.threadsLocked(c.ID) {
		v.Threads = append(v.Threads, emu.Thread{ID: th.ID, Name: th.Name})
		for _, m := range s.messages[th.ID] {
			v.Messages = append(v.Messages, s.postLocked(m, th.ID))
		}
	}
	slices.SortStableFunc(v.Messages, func(a, b emu.Post) int { return a.At.Compare(b.At) })
	return v, nil
}

// postLocked renders a message: webhook posts under their username and
// avatar overrides, embeds as card lines, components as buttons.
func (s *Server) postLocked(m *Message, thread string) emu.Post {
	p := emu.Post{ID: m.ID, Thread: thread, Author: person(m.Author), Text: m.Content, Edited: m.Edited, Deleted: m.Deleted, At: m.At}
	if m.WebhookID != "" {
		p.Author.Name, p.Author.Avatar, p.Author.Bot = cmp.Or(m.Username, p.Author.Name), cmp.Or(m.AvatarURL, p.Author.Avatar), true
	}
	for _, a := range m.Attachments {
		p.Text = strings.TrimSpace("[" + a.Filename + "] " + p.Text)
	}
	for _, e := range m.Embeds {
		if e.Author != nil {
			p.Card = append(p.Card, e.Author.Name)
		}
		for _, line := range []string{e.Title, e.Description} {
			if line != "" {
				p.Card = append(p.Card, line)
			}
		}
		for _, f := range e.Fields {
			p.Card = append(p.Card, f.Name+": "+f.Value)
		}
		if e.Footer != nil {
			p.Card = append(p.Card, e.Footer.Text)
		}
	}
	p.Buttons = components(m.Components)
	return p
}

// components turns action rows into rows of buttons.
func components(raw string) [][]emu.Button {
	var rows []struct {
		Components []struct {
			Type     int    `json:"type"`
			Label    string `json:"label"`
			CustomID string `json:"custom_id"`
			URL      string `json:"url"`
			Emoji    *struct {
				Name string `json:"name"`
			} `json:"emoji"`
		} `json:"components"`
	}
	if raw == "" || json.Unmarshal([]byte(raw), &rows) != nil {
		return nil
	}
	var out [][]emu.Button
	for _, r := range rows {
		var row []emu.Button
		for _, c := range r.Components {
			if c.Type != componentTypeButton {
				continue
			}
			label := c.Label
			if c.Emoji != nil {
				label = strings.TrimSpace(c.Emoji.Name + " " + label)
			}
			row = append(row, emu.Button{Text: label, ID: c.CustomID, URL: c.URL})
		}
		if len(row) > 0 {
			out = append(out, row)
		}
	}
	return out
}

// writerLocked checks that user may write in channel c (a guild member, or the
// DM's recipient).
func (s *Server) writerLocked(c *Channel, user string) (User, error) {
	x, ok := s.users[user]
	if !ok {
		return User{}, fmt.Errorf("discordfake: user %q: %w", user, emu.ErrNotFound)
	}
	if c.Type == TypeDM && c.Recipient != user {
		return User{}, fmt.Errorf("discordfake: %s is not in this DM (Missing Access)", user)
	}
	if g := s.guilds[c.GuildID]; c.Type != TypeDM && (g == nil || !hasMember(g, user)) {
		return User{}, fmt.Errorf("discordfake: %s is not a member of this server (Missing Access)", user)
	}
	return x, nil
}

func hasMember(g *Guild, id string) bool {
	_, ok := g.Members[id]
	return ok
}

// target resolves the channel a user writes in: the room, or its thread.
func (u userSide) target(room, thread, user string) (string, User, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := u.channelLocked(room)
	if err != nil {
		return "", User{}, err
	}
	if thread != "" {
		th, ok := s.channels[thread]
		if !ok || th.ParentID != c.ID {
			return "", User{}, fmt.Errorf("discordfake: no thread %q in %s (Unknown Channel)", thread, room)
		}
		c = th
	}
	x, err := s.writerLocked(c, user)
	return c.ID, x, err
}

func (u userSide) Say(room string, say emu.Say) (emu.Post, error) {
	ch, from, err := u.target(room, say.Thread, say.User)
	if err != nil {
		return emu.Post{}, err
	}
	m, err := u.s.Send(ch, from, say.Text)
	if err != nil {
		return emu.Post{}, err
	}
	p := emu.Post{ID: m.ID, Author: person(from), Text: m.Content, At: m.At}
	if ch != room {
		p.Thread = ch
	}
	return p, nil
}

func (u userSide) Press(room, msgID string, p emu.Press) (string, error) {
	s := u.s
	s.mu.Lock()
	ch, buttons := "", [][]emu.Button(nil)
	if c, err := u.channelLocked(room); err == nil {
		for _, c := range append([]*Channel{c}, s.threadsLocked(c.ID)...) {
			if m := s.findLocked(c.ID, msgID); m != nil {
				ch, buttons = c.ID, components(m.Components)
			}
		}
	}
	s.mu.Unlock()
	if ch == "" {
		return "", fmt.Errorf("discordfake: message %s in %s: %w", msgID, room, emu.ErrNotFound)
	}
	if !slices.ContainsFunc(slices.Concat(buttons...), func(b emu.Button) bool { return b.ID == p.ID && b.URL == "" }) {
		return "", fmt.Errorf("discordfake: message %s has no button %q", msgID, p.ID)
	}
	_, from, err := u.target(room, threadOf(ch, room), p.User)
	if err != nil {
		return "", err
	}
	return s.Click(ch, msgID, from, p.ID), nil
}

// threadOf is ch when it is a thread of room, else "".
func threadOf(ch, room string) string {
	if ch == room {
		return ""
	}
	return ch
}

// Answer reports the interaction's response: the message it showed
// (ephemeral or not), or its first follow-up after a deferral; "" when it
// updated the pressed message instead.
func (u userSide) Answer(id string) (emu.Answer, error) {
	r, ok := u.s.Interaction(id)
	if !ok {
		return emu.Answer{}, fmt.Errorf("discordfake: interaction %q: %w", id, emu.ErrNotFound)
	}
	a := emu.Answer{ID: id, Answered: r.ResponseType != 0}
	switch {
	case (r.ResponseType == CallbackMessage || r.ResponseType == CallbackDeferredMessage) && r.Original != nil:
		a.Text = r.Original.Content
	case len(r.Followups) > 0:
		a.Text = r.Followups[0].Content
	}
	return a, nil
}
