package slackfake

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
// users and channels, read a channel (threads included) as its members
// see it, post as a user (in a thread with "thread": the parent ts),
// click a button (id: action_id, value), and follow changes as
// server-sent events. Handler serves it under /emulator/.
func (s *Server) UserAPI() http.Handler { return emu.UserAPI(userSide{s}, &s.mu, s.changed, s.closed) }

// userSide adapts the emulator to emu.UserSide.
type userSide struct{ s *Server }

func person(x User) emu.Person {
	return emu.Person{ID: x.ID, Name: cmp.Or(x.RealName, x.Name), Handle: x.Name, Avatar: x.Image, Bot: x.IsBot}
}

func (u userSide) People() []emu.Person {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return emu.People(maps.Values(u.s.users), person)
}

func (s *Server) roomLocked(c *Channel) emu.Room {
	r := emu.Room{ID: c.ID, Kind: "channel", Title: "#" + c.Name, Members: slices.Clone(c.Members)}
	switch {
	case c.IsIM:
		r.Kind, r.Title = "dm", cmp.Or(s.users[c.DMWith].RealName, c.DMWith)
	case c.Shared:
		r.Kind = "shared"
	}
	return r
}

func (u userSide) Rooms() []emu.Room {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]emu.Room, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, s.roomLocked(c))
	}
	slices.SortFunc(out, func(a, b emu.Room) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func (u userSide) View(id string) (emu.View, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	if !ok {
		return emu.View{}, fmt.Errorf("slackfake: channel %q: %w", id, emu.ErrNotFound)
	}
	v := emu.View{Room: s.roomLocked(c), Threads: []emu.Thread{}, Messages: []emu.Post{}}
	for _, m := range s.messages[id] {
		v.Messages = append(v.Messages, s.postLocked(m))
	}
	return v, nil
}

// postLocked renders a message: a bot post under its username and icon
// overrides, its blocks as card lines and buttons.
func (s *Server) postLocked(m *Message) emu.Post {
	p := emu.Post{ID: m.TS, Author: person(s.users[m.User]), Text: m.Text, Edited: m.Edited, Deleted: m.Deleted}
	if m.ThreadTS != m.TS {
		p.Thread = m.ThreadTS
	}
	if m.BotID != "" {
		p.Author = person(s.users[s.botUser])
		p.Author.Name = cmp.Or(m.Username, p.Author.Name)
		p.Author.Avatar = m.IconURL
	}
	for range m.Files {
		p.Text = strings.TrimSpace("[file] " + p.Text)
	}
	p.Card, p.Buttons = blockView(m.Blocks)
	return p
}

type textObj struct {
	Text string `json:"text"`
}

// blockView turns Block Kit JSON into card lines (headers, sections and
// their fields, context) and rows of buttons (one per actions block).
func blockView(raw string) ([]string, [][]emu.Button) {
	var blocks []struct {
		Type     string    `json:"type"`
		Text     *textObj  `json:"text"`
		Fields   []textObj `json:"fields"`
		Elements []struct {
			Type     string          `json:"type"`
			Text     json.RawMessage `json:"text"` // a text object, or a string in context
			ActionID string          `json:"action_id"`
			Value    string          `json:"value"`
			URL      string          `json:"url"`
		} `json:"elements"`
	}
	if raw == "" || json.Unmarshal([]byte(raw), &blocks) != nil {
		return nil, nil
	}
	var card []string
	var buttons [][]emu.Button
	for _, b := range blocks {
		if b.Text != nil && b.Text.Text != "" {
			card = append(card, b.Text.Text)
		}
		for _, f := range b.Fields {
			card = append(card, f.Text)
		}
		var row []emu.Button
		for _, e := range b.Elements {
			var label textObj
			if json.Unmarshal(e.Text, &label) != nil {
				_ = json.Unmarshal(e.Text, &label.Text)
			}
			switch {
			case b.Type == "actions" && e.Type == "button":
				row = append(row, emu.Button{Text: label.Text, ID: e.ActionID, Value: e.Value, URL: e.URL})
			case b.Type == "context" && label.Text != "":
				card = append(card, label.Text)
			}
		}
		if len(row) > 0 {
			buttons = append(buttons, row)
		}
	}
	return card, buttons
}

func (u userSide) member(channel, user string) (*Channel, User, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok {
		return nil, User{}, fmt.Errorf("slackfake: channel %q: %w", channel, emu.ErrNotFound)
	}
	x, ok := s.users[user]
	if !ok {
		return nil, User{}, fmt.Errorf("slackfake: user %q: %w", user, emu.ErrNotFound)
	}
	if !slices.Contains(c.Members, user) {
		return nil, User{}, fmt.Errorf("slackfake: %s is not in %s (not_in_channel)", user, channel)
	}
	return c, x, nil
}

func (u userSide) Say(channel string, say emu.Say) (emu.Post, error) {
	_, from, err := u.member(channel, say.User)
	if err != nil {
		return emu.Post{}, err
	}
	m, err := u.s.Post(channel, from, say.Text, say.Thread)
	if err != nil {
		return emu.Post{}, err
	}
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.postLocked(&m), nil
}

func (u userSide) Press(channel, ts string, p emu.Press) (string, error) {
	_, from, err := u.member(channel, p.User)
	if err != nil {
		return "", err
	}
	u.s.mu.Lock()
	m := u.s.msgLocked(channel, ts)
	var buttons [][]emu.Button
	if m != nil {
		_, buttons = blockView(m.Blocks)
	}
	u.s.mu.Unlock()
	if m == nil {
		return "", fmt.Errorf("slackfake: message %s in %s: %w", ts, channel, emu.ErrNotFound)
	}
	if !slices.ContainsFunc(slices.Concat(buttons...), func(b emu.Button) bool { return b.ID == p.ID && b.Value == p.Value }) {
		return "", fmt.Errorf("slackfake: message %s has no button %q with value %q", ts, p.ID, p.Value)
	}
	return u.s.Click(channel, ts, from, p.ID, p.Value)
}

// Answer reports whether the app acknowledged the click's envelope, and
// the text of its acknowledgement payload, if any.
func (u userSide) Answer(id string) (emu.Answer, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	payload, acked := u.s.acks[id]
	if _, pending := u.s.pending[id]; !acked && !pending {
		return emu.Answer{}, fmt.Errorf("slackfake: envelope %q: %w", id, emu.ErrNotFound)
	}
	var body textObj
	_ = json.Unmarshal([]byte(payload), &body)
	return emu.Answer{ID: id, Answered: acked, Text: body.Text}, nil
}
