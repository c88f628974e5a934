package emu

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// UserAPIPrefix is where every emulator serves its user-side API, next to
// the platform API it emulates.
const UserAPIPrefix = "/emulator/"

// Person is a user of the emulated platform (or the bot), as the user-side
// API lists them.
type Person struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle,omitempty"`
	Avatar string `json:"avatar,omitempty"`
	Bot    bool   `json:"bot,omitempty"`
}

// Room is a chat, group, forum or channel users can write in.
type Room struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"` // dm, group, forum, channel, shared
	Title string `json:"title"`
	// Members are the ids of the people in it ("" when anyone can see it).
	Members []string `json:"members,omitempty"`
}

// Thread is a forum topic or a thread inside a room.
type Thread struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Button is a button on a message. Press it with its ID (and Value on
// Slack); URL buttons only open a link.
type Button struct {
	Text  string `json:"text"`
	ID    string `json:"id,omitempty"`
	Value string `json:"value,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Post is one message as its readers see it.
type Post struct {
	ID     string `json:"id"`
	Thread string `json:"thread,omitempty"` // the thread or topic it is in
	Author Person `json:"author"`
	Text   string `json:"text"`
	// Card holds the lines of a rich card (Slack blocks, Discord embeds).
	Card    []string   `json:"card,omitempty"`
	Buttons [][]Button `json:"buttons,omitempty"`
	Edited  bool       `json:"edited,omitempty"`
	Deleted bool       `json:"deleted,omitempty"`
	At      time.Time  `json:"at"`
}

// View is a room's threads and messages, oldest first.
type View struct {
	Room     Room     `json:"room"`
	Threads  []Thread `json:"threads"`
	Messages []Post   `json:"messages"`
}

// Say is the body of a user's post: who writes, and where in the room.
type Say struct {
	User   string `json:"user"`
	Thread string `json:"thread,omitempty"`
	Text   string `json:"text"`
}

// Press is the body of a button press.
type Press struct {
	User  string `json:"user"`
	ID    string `json:"id"`
	Value string `json:"value,omitempty"`
}

// Answer is what the bot answered a button press with: Telegram's
// answerCallbackQuery text, a Discord interaction response's content, a
// Slack envelope's acknowledgement payload text.
type Answer struct {
	ID       string `json:"id"`
	Answered bool   `json:"answered"`
	Text     string `json:"text,omitempty"`
}

// People converts users to Persons, sorted by id (numeric ids by
// value: shorter first).
func People[U any](users iter.Seq[U], person func(U) Person) []Person {
	out := []Person{}
	for u := range users {
		out = append(out, person(u))
	}
	slices.SortFunc(out, func(a, b Person) int { return cmp.Or(cmp.Compare(len(a.ID), len(b.ID)), cmp.Compare(a.ID, b.ID)) })
	return out
}

// ErrNotFound marks a user, room or message that does not exist.
var ErrNotFound = errors.New("not found")

// UserSide is what an emulator does for its user-side API; ids are the
// platform's own, as strings.
type UserSide interface {
	People() []Person
	Rooms() []Room
	View(room string) (View, error)
	Say(room string, s Say) (Post, error)
	// Press presses a button and returns the platform's id for the
	// press (callback query, interaction or envelope).
	Press(room, message string, p Press) (string, error)
	// Answer reports the bot's answer to the press with that id.
	Answer(press string) (Answer, error)
}

// UserAPI serves the user-side HTTP API of an emulator under
// UserAPIPrefix: GET users, GET chats, GET chats/{chat}/messages,
// POST chats/{chat}/messages, POST chats/{chat}/messages/{message}/press,
// GET presses/{id} (the bot's answer to a press) and GET events (server-sent events, one "change" per state change of
// the emulator, which signals them on changed under mu). done ends open
// event streams (the emulator's Close).
func UserAPI(side UserSide, mu sync.Locker, changed *Changes, done <-chan struct{}) http.Handler {
	mux := http.NewServeMux()
	p := strings.TrimSuffix(UserAPIPrefix, "/")
	mux.HandleFunc("GET "+p+"/users", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"users": side.People()})
	})
	mux.HandleFunc("GET "+p+"/chats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"chats": side.Rooms()})
	})
	mux.HandleFunc("GET "+p+"/chats/{chat}/messages", func(w http.ResponseWriter, r *http.Request) {
		v, err := side.View(r.PathValue("chat"))
		reply(w, v, err)
	})
	mux.HandleFunc("POST "+p+"/chats/{chat}/messages", func(w http.ResponseWriter, r *http.Request) {
		var s Say
		if err := decode(r, &s); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if s.User == "" || strings.TrimSpace(s.Text) == "" {
			writeError(w, http.StatusBadRequest, errors.New("user and text are required"))
			return
		}
		m, err := side.Say(r.PathValue("chat"), s)
		reply(w, m, err)
	})
	mux.HandleFunc("POST "+p+"/chats/{chat}/messages/{message}/press", func(w http.ResponseWriter, r *http.Request) {
		var pr Press
		if err := decode(r, &pr); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if pr.User == "" || pr.ID == "" {
			writeError(w, http.StatusBadRequest, errors.New("user and id are required"))
			return
		}
		id, err := side.Press(r.PathValue("chat"), r.PathValue("message"), pr)
		reply(w, map[string]string{"id": id}, err)
	})
	mux.HandleFunc("GET "+p+"/presses/{id}", func(w http.ResponseWriter, r *http.Request) {
		a, err := side.Answer(r.PathValue("id"))
		reply(w, a, err)
	})
	mux.HandleFunc("GET "+p+"/events", func(w http.ResponseWriter, r *http.Request) {
		serveEvents(w, r, func() <-chan struct{} {
			mu.Lock()
			defer mu.Unlock()
			return changed.C()
		}, done)
	})
	return mux
}

func reply(w http.ResponseWriter, v any, err error) {
	switch {
	case errors.Is(err, ErrNotFound):
		writeError(w, http.StatusNotFound, err)
	case err != nil:
		writeError(w, http.StatusUnprocessableEntity, err)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad JSON body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// serveEvents streams "change" events: one at once, then one after each
// state change (changes in a burst are coalesced, at most one per 50 ms).
func serveEvents(w http.ResponseWriter, r *http.Request, changed func() <-chan struct{}, done <-chan struct{}) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, errors.New("streaming unsupported"))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	for seq := 0; ; seq++ {
		ch := changed()
		if _, err := fmt.Fprintf(w, "event: change\ndata: {\"seq\":%d}\n\n", seq); err != nil {
			return
		}
		fl.Flush()
		if !awaitChange(w, fl, r, ch, done) {
			return
		}
	}
}

// awaitChange waits for ch, writing a keepalive comment every 15 s, then
// lets a burst settle for 50 ms; it is false when the stream must end.
func awaitChange(w io.Writer, fl http.Flusher, r *http.Request, ch <-chan struct{}, done <-chan struct{}) bool {
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return false
		case <-done:
			return false
		case <-keepalive.C:
			if _, err := io.WriteString(w, ": keepalive\n\n"); err != nil {
				return false
			}
			fl.Flush()
			continue
		case <-ch:
		}
		select {
		case <-time.After(50 * time.Millisecond):
			return true
		case <-r.Context().Done():
			return false
		}
	}
}

// WithUserAPI serves user under UserAPIPrefix and everything else with
// platform.
func WithUserAPI(platform, user http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, UserAPIPrefix) {
			user.ServeHTTP(w, r)
			return
		}
		platform.ServeHTTP(w, r)
	})
}
