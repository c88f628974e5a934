package discordfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway intents the emulator filters on.
const (
	IntentGuilds                 = 1 << 0
	IntentGuildMessages          = 1 << 9
	IntentGuildMessageReactions  = 1 << 10
	IntentDirectMessages         = 1 << 12
	IntentDirectMessageReactions = 1 << 13
	IntentMessageContent         = 1 << 15
)

// Gateway opcodes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opResume         = 6
	opReconnect      = 7
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// session is a gateway session: its sequence and every event dispatched
// to it, so a RESUME can replay what the client missed.
type session struct {
	id      string
	intents int
	seq     int
	log     []frame
	conn    *conn // nil while disconnected
}

// conn is one WebSocket connection and its write lock.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *conn) write(f frame) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(f)
}

func (c *conn) closeWith(code int, reason string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = c.ws.Close()
}

type frame struct {
	Op int    `json:"op"`
	T  string `json:"t,omitempty"`
	S  int    `json:"s,omitempty"`
	D  any    `json:"d"`
}

// gateway serves one WebSocket connection: HELLO, then IDENTIFY or
// RESUME, heartbeats, until the connection ends.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws}
	s.mu.Lock()
	s.conns[ws] = nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if sess := s.conns[ws]; sess != nil && sess.conn == c {
			sess.conn = nil
		}
		delete(s.conns, ws)
		s.notifyLocked()
		s.mu.Unlock()
		_ = ws.Close()
	}()
	if c.write(frame{Op: opHello, D: map[string]any{"heartbeat_interval": s.o.HeartbeatInterval.Milliseconds()}}) != nil {
		return
	}
	for {
		_ = ws.SetReadDeadline(time.Now().Add(2*s.o.HeartbeatInterval + 5*time.Second))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var in struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &in) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch in.Op {
		case opHeartbeat:
			_ = c.write(frame{Op: opHeartbeatAck})
		case opIdentify:
			var id struct {
				Token   string `json:"token"`
				Intents *int   `json:"intents"`
			}
			_ = json.Unmarshal(in.D, &id)
			switch {
			case s.attached(ws):
				c.closeWith(4005, "Already authenticated.")
				return
			case id.Token != "Bot "+s.o.Token && id.Token != s.o.Token:
				c.closeWith(4004, "Authentication failed.")
				return
			case id.Intents == nil:
				c.closeWith(4013, "Invalid intent(s).")
				return
			}
			s.identify(c, *id.Intents)
		case opResume:
			var rs struct {
				Token     string `json:"token"`
				SessionID string `json:"session_id"`
				Seq       int    `json:"seq"`
			}
			_ = json.Unmarshal(in.D, &rs)
			if s.attached(ws) {
				c.closeWith(4005, "Already authenticated.")
				return
			}
			if rs.Token != "Bot "+s.o.Token && rs.Token != s.o.Token {
				c.closeWith(4004, "Authentication failed.")
				return
			}
			if !s.resume(c, rs.SessionID, rs.Seq) {
				_ = c.write(frame{Op: opInvalidSession, D: false})
			}
		default:
			if !s.attached(ws) {
				c.closeWith(4003, "Not authenticated.")
				return
			}
		}
	}
}

// attached reports whether a connection has a session.
func (s *Server) attached(ws *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[ws] != nil
}

// identify starts a session: READY, then GUILD_CREATE per guild.
func (s *Server) identify(c *conn, intents int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := &session{id: "sess" + s.newID(), intents: intents, conn: c}
	s.sessions[sess.id] = sess
	s.conns[c.ws] = sess
	s.identifies++
	guilds := []map[string]any{}
	var ids []string
	for id, g := range s.guilds {
		if _, member := g.Members[s.bot.ID]; member {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmpID)
	for _, id := range ids {
		guilds = append(guilds, map[string]any{"id": id, "unavailable": true})
	}
	s.sendLocked(sess, "READY", map[string]any{
		"v": 9, "user": s.bot, "guilds": guilds, "session_id": sess.id, "resume_gateway_url": s.GatewayURL(),
		"session_type": "normal", "shard": []int{0, 1}, "private_channels": []any{},
		"application": map[string]any{"id": s.o.ApplicationID, "flags": 1 << 19},
	})
	if intents&IntentGuilds != 0 {
		for _, id := range ids {
			s.sendLocked(sess, "GUILD_CREATE", s.guildCreate(s.guilds[id]))
		}
	}
	s.notifyLocked()
}

func (s *Server) guildCreate(g *Guild) map[string]any {
	chans, threads := []map[string]any{}, []map[string]any{}
	for _, ch := range s.sortedChannels() {
		switch {
		case ch.GuildID != g.ID:
		case ch.IsThread():
			if !ch.Archived {
				threads = append(threads, s.channelJSON(ch))
			}
		default:
			chans = append(chans, s.channelJSON(ch))
		}
	}
	members := []map[string]any{s.memberJSON(g, s.bot.ID)}
	return map[string]any{"id": g.ID, "name": g.Name, "channels": chans, "threads": threads, "members": members,
		"roles": g.Roles, "member_count": len(g.Members), "unavailable": false, "large": false, "owner_id": s.bot.ID,
		"joined_at": "2024-01-01T00:00:00.000000+00:00", "features": []string{"COMMUNITY"}, "emojis": []any{}, "stickers": []any{},
		"voice_states": []any{}, "presences": []any{}, "stage_instances": []any{}, "guild_scheduled_events": []any{}}
}

// resume replays what a session missed after seq, then RESUMED; false
// when the session is unknown (the caller answers op 9).
func (s *Server) resume(c *conn, id string, seq int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok || seq > sess.seq {
		return false
	}
	if old := sess.conn; old != nil && old != c {
		_ = old.ws.Close()
	}
	sess.conn = c
	s.conns[c.ws] = sess
	for _, f := range sess.log {
		if f.S > seq && c.write(f) != nil {
			sess.conn = nil
			return true
		}
	}
	s.sendLocked(sess, "RESUMED", map[string]any{})
	s.notifyLocked()
	return true
}

// sendLocked sequences an event into a session and writes it when the
// session is connected; a disconnected session keeps it for RESUME.
func (s *Server) sendLocked(sess *session, t string, d any) {
	sess.seq++
	f := frame{Op: opDispatch, T: t, S: sess.seq, D: d}
	sess.log = append(sess.log, f)
	if sess.conn != nil && sess.conn.write(f) != nil {
		sess.conn = nil
	}
}

// dispatchLocked sends an event to every session whose intents cover it,
// emptying message content without MESSAGE_CONTENT as Discord does.
func (s *Server) dispatchLocked(t, guildID string, d map[string]any) {
	ids := make([]string, 0, len(s.sessions))
	for id := range s.sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		sess := s.sessions[id]
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
	case "THREAD_CREATE", "THREAD_UPDATE", "THREAD_DELETE", "CHANNEL_CREATE", "CHANNEL_UPDATE", "CHANNEL_DELETE", "GUILD_CREATE":
		return intents&IntentGuilds != 0
	}
	return true
}

// contentFor hides content, embeds, attachments and components from a
// session without MESSAGE_CONTENT, except in DMs, messages that mention
// the bot, and the bot's own messages.
func (s *Server) contentFor(sess *session, d map[string]any, guild bool) map[string]any {
	if sess.intents&IntentMessageContent != 0 || !guild {
		return d
	}
	if a, ok := d["author"].(User); ok && a.ID == s.bot.ID {
		return d
	}
	if ms, ok := d["mentions"].([]User); ok && slices.ContainsFunc(ms, func(u User) bool { return u.ID == s.bot.ID }) {
		return d
	}
	cp := make(map[string]any, len(d))
	for k, v := range d {
		cp[k] = v
	}
	cp["content"], cp["embeds"], cp["attachments"], cp["components"] = "", []any{}, []any{}, []any{}
	return cp
}

// DropGateway closes every gateway connection abruptly (no close frame),
// as a network failure would; sessions survive, so clients must RESUME
// and get every event they missed.
func (s *Server) DropGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ws, sess := range s.conns {
		if sess != nil && sess.conn != nil && sess.conn.ws == ws {
			sess.conn = nil
		}
		_ = ws.UnderlyingConn().Close()
	}
	s.notifyLocked()
}

// Reconnect asks every connected client to reconnect and resume (op 7).
func (s *Server) Reconnect() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.conn != nil {
			_ = sess.conn.write(frame{Op: opReconnect, D: nil})
		}
	}
}

// InvalidateSessions forgets every session and sends op 9 (d=false) to
// connected clients, which must IDENTIFY again; later RESUMEs get op 9.
func (s *Server) InvalidateSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.conn != nil {
			_ = sess.conn.write(frame{Op: opInvalidSession, D: false})
		}
	}
	for ws, sess := range s.conns {
		if sess != nil {
			s.conns[ws] = nil
		}
	}
	s.sessions = map[string]*session{}
	s.notifyLocked()
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

// Identifies counts sessions ever started (IDENTIFY), including
// invalidated ones: tests assert a drop led to RESUME, not re-identify.
func (s *Server) Identifies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.identifies
}
