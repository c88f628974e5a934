package discordfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway intents cornershop cares about.
const (
	IntentGuilds                 = 1 << 0
	IntentGuildMessages          = 1 << 9
	IntentGuildMessageReactions  = 1 << 10
	IntentDirectMessages         = 1 << 12
	IntentDirectMessageReactions = 1 << 13
	IntentMessageContent         = 1 << 15
)

// session is a gateway session: its sequence and every event dispatched
// to it, so a RESUME can replay what the client missed.
type session struct {
	id      string
	intents int
	seq     int
	log     []frame
	conn    *websocket.Conn
	wmu     *sync.Mutex
}

type frame struct {
	Op int    `json:"op"`
	T  string `json:"t,omitempty"`
	S  int    `json:"s,omitempty"`
	D  any    `json:"d"`
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// gateway serves one WebSocket connection.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	wmu := &sync.Mutex{}
	write := func(f frame) error {
		wmu.Lock()
		defer wmu.Unlock()
		return c.WriteJSON(f)
	}
	s.mu.Lock()
	s.conns[c] = nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if sess := s.conns[c]; sess != nil && sess.conn == c {
			sess.conn = nil
		}
		delete(s.conns, c)
		s.notifyLocked()
		s.mu.Unlock()
		c.Close()
	}()
	if write(frame{Op: 10, D: map[string]any{"heartbeat_interval": s.o.HeartbeatInterval.Milliseconds()}}) != nil {
		return
	}
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var in struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &in) != nil {
			_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "Error while decoding payload."), time.Now().Add(time.Second))
			return
		}
		switch in.Op {
		case 1:
			_ = write(frame{Op: 11})
		case 2:
			var id struct {
				Token   string `json:"token"`
				Intents int    `json:"intents"`
			}
			_ = json.Unmarshal(in.D, &id)
			if id.Token != s.o.Token && id.Token != "Bot "+s.o.Token {
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
				return
			}
			s.identify(c, wmu, id.Intents, r.Host)
		case 6:
			var rs struct {
				Token     string `json:"token"`
				SessionID string `json:"session_id"`
				Seq       int    `json:"seq"`
			}
			_ = json.Unmarshal(in.D, &rs)
			if !s.resume(c, wmu, rs.SessionID, rs.Seq) {
				_ = write(frame{Op: 9, D: false})
			}
		}
	}
}

func (s *Server) identify(c *websocket.Conn, wmu *sync.Mutex, intents int, host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := &session{id: fmt.Sprintf("sess-%s", s.newID()), intents: intents, conn: c, wmu: wmu}
	s.sessions[sess.id] = sess
	s.conns[c] = sess
	var guilds []map[string]any
	for _, g := range s.guilds {
		guilds = append(guilds, map[string]any{"id": g.ID, "unavailable": true})
	}
	s.sendLocked(sess, "READY", map[string]any{
		"v": 9, "user": s.bot, "guilds": guilds, "session_id": sess.id, "resume_gateway_url": "ws://" + host + "/gateway-ws",
		"application": map[string]any{"id": s.o.ApplicationID, "flags": 0}, "private_channels": []any{},
	})
	for _, g := range s.guilds {
		var chans []map[string]any
		for _, ch := range s.channels {
			if ch.GuildID == g.ID && ch.Type != TypePublicThread {
				chans = append(chans, s.channelJSON(ch))
			}
		}
		s.sendLocked(sess, "GUILD_CREATE", map[string]any{"id": g.ID, "name": g.Name, "channels": chans, "threads": []any{}, "members": []any{}, "roles": []any{}, "unavailable": false})
	}
	s.notifyLocked()
}

// resume replays what a session missed after seq, then RESUMED.
func (s *Server) resume(c *websocket.Conn, wmu *sync.Mutex, id string, seq int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return false
	}
	sess.conn, sess.wmu = c, wmu
	s.conns[c] = sess
	for _, f := range sess.log {
		if f.S > seq {
			wmu.Lock()
			err := c.WriteJSON(f)
			wmu.Unlock()
			if err != nil {
				return true
			}
		}
	}
	sess.seq++
	f := frame{Op: 0, T: "RESUMED", S: sess.seq, D: map[string]any{}}
	sess.log = append(sess.log, f)
	wmu.Lock()
	_ = c.WriteJSON(f)
	wmu.Unlock()
	s.notifyLocked()
	return true
}

// sendLocked sequences an event into a session and writes it when the
// session is connected; a disconnected session keeps it for RESUME.
func (s *Server) sendLocked(sess *session, t string, d any) {
	sess.seq++
	f := frame{Op: 0, T: t, S: sess.seq, D: d}
	sess.log = append(sess.log, f)
	if sess.conn != nil {
		sess.wmu.Lock()
		err := sess.conn.WriteJSON(f)
		sess.wmu.Unlock()
		if err != nil {
			sess.conn = nil
		}
	}
}

// dispatchLocked sends an event to every session whose intents cover it,
// emptying message content without MESSAGE_CONTENT as Discord does.
func (s *Server) dispatchLocked(t, guildID string, d map[string]any) {
	for _, sess := range s.sessions {
		if !wants(sess.intents, t, guildID != "") {
			continue
		}
		payload := d
		if t == "MESSAGE_CREATE" || t == "MESSAGE_UPDATE" {
			payload = s.contentFor(sess, d, guildID != "")
		}
		s.sendLocked(sess, t, payload)
	}
	s.notifyLocked()
}

func wants(intents int, t string, guild bool) bool {
	switch t {
	case "MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE":
		if guild {
			return intents&IntentGuildMessages != 0
		}
		return intents&IntentDirectMessages != 0
	case "MESSAGE_REACTION_ADD", "MESSAGE_REACTION_REMOVE":
		if guild {
			return intents&IntentGuildMessageReactions != 0
		}
		return intents&IntentDirectMessageReactions != 0
	case "THREAD_CREATE", "THREAD_UPDATE", "CHANNEL_CREATE":
		return intents&IntentGuilds != 0
	}
	return true
}

func (s *Server) contentFor(sess *session, d map[string]any, guild bool) map[string]any {
	if sess.intents&IntentMessageContent != 0 || !guild {
		return d
	}
	if a, ok := d["author"].(User); ok && a.ID == s.bot.ID {
		return d
	}
	if content, _ := d["content"].(string); slices.ContainsFunc(userMention.FindAllStringSubmatch(content, -1), func(m []string) bool { return m[1] == s.bot.ID }) {
		return d
	}
	cp := map[string]any{}
	for k, v := range d {
		cp[k] = v
	}
	cp["content"], cp["embeds"], cp["attachments"], cp["components"] = "", []any{}, []any{}, []any{}
	return cp
}

// DropGateway closes every gateway connection abruptly (no close frame),
// as a network failure would; clients must RESUME.
func (s *Server) DropGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, sess := range s.conns {
		if sess != nil {
			sess.conn = nil
		}
		_ = c.UnderlyingConn().Close()
	}
}

// Reconnect asks every client to reconnect and resume (op 7).
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c, sess := range s.conns {
		if sess != nil && sess.conn == c {
			sess.wmu.Lock()
			_ = c.WriteJSON(frame{Op: 7, D: nil})
			sess.wmu.Unlock()
		}
	}
}

// InvalidateSessions forgets every session: resumes get op 9.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]*session{}
}

// Sessions counts sessions that are connected now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sess := range s.sessions {
		if sess.conn != nil {
			n++
		}
	}
	return n
}
