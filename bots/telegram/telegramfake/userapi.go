package telegramfake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cornershop/bots/internal/emu"
)

// UserAPI is the emulator's user-side HTTP API (docs/playground.md): list
// users and chats, read a chat as its members see it, write as a user
// (in a forum topic with "thread"), press an inline button, and follow
// changes as server-sent events. Handler serves it under /emulator/.
func (s *Server) UserAPI() http.Handler { return emu.UserAPI(userSide{s}, &s.mu, s.changed, s.closed) }

// userSide adapts the emulator to emu.UserSide.
type userSide struct{ s *Server }

func person(u User) emu.Person {
	return emu.Person{ID: strconv.FormatInt(u.ID, 10), Name: strings.TrimSpace(u.FirstName + " " + u.LastName), Handle: u.Username, Bot: u.IsBot}
}

func (u userSide) People() []emu.Person {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return emu.People(maps.Values(u.s.users), person)
}

func room(c *chat) emu.Room {
	r := emu.Room{ID: strconv.FormatInt(c.ID, 10), Kind: "group", Title: c.Title}
	switch {
	case c.Type == Private:
		r.Kind, r.Title = "dm", strings.TrimSpace(c.FirstName+" "+c.LastName)
	case c.IsForum:
		r.Kind = "forum"
	}
	for id := range c.members {
		r.Members = append(r.Members, strconv.FormatInt(id, 10))
	}
	slices.Sort(r.Members)
	return r
}

func (u userSide) Rooms() []emu.Room {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]emu.Room, 0, len(s.chats))
	for _, c := range s.chats {
		out = append(out, room(c))
	}
	// Private chats (positive ids) first, then groups, each oldest first.
	slices.SortFunc(out, func(a, b emu.Room) int {
		x, _ := strconv.ParseInt(a.ID, 10, 64)
		y, _ := strconv.ParseInt(b.ID, 10, 64)
		if (x > 0) != (y > 0) {
			return cmp.Compare(y, x)
		}
		return cmp.Compare(abs(x), abs(y))
	})
	return out
}

func abs(n int64) int64 { return max(n, -n) }

func (u userSide) chatLocked(id string) (*chat, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if c := u.s.chats[n]; err == nil && c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("telegramfake: chat %q: %w", id, emu.ErrNotFound)
}

func (u userSide) View(id string) (emu.View, error) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := u.chatLocked(id)
	if err != nil {
		return emu.View{}, err
	}
	v := emu.View{Room: room(c), Threads: []emu.Thread{}, Messages: []emu.Post{}}
	ids := make([]int, 0, len(c.topics))
	for id, t := range c.topics {
		if !t.Deleted {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		v.Threads = append(v.Threads, emu.Thread{ID: strconv.Itoa(id), Name: c.topics[id].Name})
	}
	for _, m := range c.messages {
		v.Messages = append(v.Messages, post(m))
	}
	return v, nil
}

func post(m *Message) emu.Post {
	p := emu.Post{ID: strconv.Itoa(m.ID), Author: person(m.From), Text: cmp.Or(m.Text, m.Caption), Edited: m.Edited, Deleted: m.Deleted, At: m.Date}
	if m.ThreadID != 0 {
		p.Thread = strconv.Itoa(m.ThreadID)
	}
	for _, media := range []struct{ id, label string }{{m.PhotoID, "[photo]"}, {m.DocumentID, "[document]"}, {m.VoiceID, "[voice]"}, {m.Sticker, "[sticker " + m.Sticker + "]"}} {
		if media.id != "" {
			p.Text = strings.TrimSpace(media.label + " " + p.Text)
		}
	}
	var kb struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
			URL          string `json:"url"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal(m.ReplyMarkup, &kb) == nil {
		for _, row := range kb.InlineKeyboard {
			var out []emu.Button
			for _, b := range row {
				out = append(out, emu.Button{Text: b.Text, ID: b.CallbackData, URL: b.URL})
			}
			p.Buttons = append(p.Buttons, out)
		}
	}
	return p
}

func (u userSide) user(id string) (User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	u.s.mu.Lock()
	x, ok := u.s.users[n]
	u.s.mu.Unlock()
	if err != nil || !ok {
		return User{}, fmt.Errorf("telegramfake: user %q: %w", id, emu.ErrNotFound)
	}
	return x, nil
}

func (u userSide) Say(chatID string, say emu.Say) (emu.Post, error) {
	from, err := u.user(say.User)
	if err != nil {
		return emu.Post{}, err
	}
	u.s.mu.Lock()
	ch, err := u.chatLocked(chatID)
	u.s.mu.Unlock()
	if err != nil {
		return emu.Post{}, err
	}
	thread := 0
	if say.Thread != "" {
		if thread, err = strconv.Atoi(say.Thread); err != nil {
			return emu.Post{}, fmt.Errorf("telegramfake: topic %q: %w", say.Thread, emu.ErrNotFound)
		}
	}
	m, err := u.s.SendText(ch.ID, thread, from, say.Text)
	if err != nil {
		return emu.Post{}, err
	}
	return post(&m), nil
}

func (u userSide) Press(chatID, msgID string, p emu.Press) (string, error) {
	from, err := u.user(p.User)
	if err != nil {
		return "", err
	}
	u.s.mu.Lock()
	c, err := u.chatLocked(chatID)
	m, err2 := strconv.Atoi(msgID)
	if err == nil && (err2 != nil || c.msg(m) == nil || c.msg(m).Deleted) {
		err = fmt.Errorf("telegramfake: message %s in chat %s: %w", msgID, chatID, emu.ErrNotFound)
	}
	u.s.mu.Unlock()
	if err != nil {
		return "", err
	}
	return u.s.Press(c.ID, m, from, p.ID)
}

func (u userSide) Answer(id string) (emu.Answer, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	q := u.s.callbacks[id]
	if q == nil {
		return emu.Answer{}, fmt.Errorf("telegramfake: callback query %q: %w", id, emu.ErrNotFound)
	}
	return emu.Answer{ID: id, Answered: q.answered, Text: q.text}, nil
}
