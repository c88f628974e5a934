package discordfake

import (
	"encoding/json"
	"fmt"
)

// Send makes u write content in a channel, thread or (channelID from DM)
// DM and returns the message.
func (s *Server) Send(channelID string, u User, content string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channelID]
	if !ok {
		return Message{}, fmt.Errorf("discordfake: no channel %s", channelID)
	}
	m := &Message{ID: s.newID(), ChannelID: c.ID, Author: u, Content: content, At: s.o.Now()}
	s.messages[c.ID] = append(s.messages[c.ID], m)
	s.dispatchLocked("MESSAGE_CREATE", c.GuildID, s.messageJSON(m))
	return *m, nil
}

// DMChannel returns (creating) the DM channel between the bot and u.
func (s *Server) DMChannel(u User) Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, out := s.createDM(u.ID)
	id := out.(map[string]any)["id"].(string)
	return *s.channels[id]
}

// CloseDMs makes u refuse DMs from the bot (error 50007).
func (s *Server) CloseDMs(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dmClosed[u.ID] = true
}

// Edit makes the author change a message (MESSAGE_UPDATE).
func (s *Server) Edit(channelID, id, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channelID, id)
	if m == nil {
		return fmt.Errorf("discordfake: no message %s in %s", id, channelID)
	}
	m.Content, m.Edited = content, true
	s.dispatchLocked("MESSAGE_UPDATE", s.channels[channelID].GuildID, s.messageJSON(m))
	return nil
}

// Delete makes the author delete a message (MESSAGE_DELETE).
func (s *Server) Delete(channelID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findLocked(channelID, id)
	if m == nil {
		return fmt.Errorf("discordfake: no message %s in %s", id, channelID)
	}
	m.Deleted = true
	g := s.channels[channelID].GuildID
	s.dispatchLocked("MESSAGE_DELETE", g, map[string]any{"id": id, "channel_id": channelID, "guild_id": g})
	return nil
}

// React makes u add a Unicode reaction to a message.
func (s *Server) React(channelID, id string, u User, emoji string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findLocked(channelID, id) == nil {
		return fmt.Errorf("discordfake: no message %s in %s", id, channelID)
	}
	g := s.channels[channelID].GuildID
	s.dispatchLocked("MESSAGE_REACTION_ADD", g, map[string]any{"user_id": u.ID, "channel_id": channelID, "message_id": id, "guild_id": g,
		"emoji": map[string]any{"id": nil, "name": emoji}})
	return nil
}

type interaction struct {
	ID, Token string
	Response  map[string]any
	Followups []map[string]any
}

// Command makes u run the slash command name with options (name -> value)
// in a channel; it returns the interaction id (see Response).
func (s *Server) Command(channelID string, u User, name string, options map[string]string) string {
	var opts []map[string]any
	for k, v := range options {
		opts = append(opts, map[string]any{"name": k, "type": 3, "value": v})
	}
	return s.interact(channelID, u, 2, map[string]any{"id": s.newIDLocked(), "name": name, "type": 1, "options": opts})
}

// Click makes u press a button (custom_id) on a message.
func (s *Server) Click(channelID, messageID string, u User, customID string) string {
	s.mu.Lock()
	var msg map[string]any
	if m := s.findLocked(channelID, messageID); m != nil {
		msg = s.messageJSON(m)
	}
	s.mu.Unlock()
	return s.interact(channelID, u, 3, map[string]any{"custom_id": customID, "component_type": 2}, msg)
}

func (s *Server) newIDLocked() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newID()
}

func (s *Server) interact(channelID string, u User, typ int, data map[string]any, msg ...map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := &interaction{ID: s.newID(), Token: "itok-" + s.newID()}
	s.interactions[it.ID] = it
	c := s.channels[channelID]
	d := map[string]any{"id": it.ID, "application_id": s.o.ApplicationID, "type": typ, "data": data, "token": it.Token, "version": 1,
		"channel_id": channelID}
	if c != nil && c.GuildID != "" {
		d["guild_id"] = c.GuildID
		d["member"] = map[string]any{"user": u, "roles": []string{}, "permissions": "0"}
	} else {
		d["user"] = u
	}
	if len(msg) > 0 && msg[0] != nil {
		d["message"] = msg[0]
	}
	s.dispatchLocked("INTERACTION_CREATE", "", d)
	return it.ID
}

func (s *Server) interactionCallback(id, token string, in map[string]any) (int, any) {
	it, ok := s.interactions[id]
	if !ok || it.Token != token {
		return 0, notFound(10062, "interaction")
	}
	if it.Response != nil {
		return 0, &apiError{status: 400, code: 40060, msg: "Interaction has already been acknowledged."}
	}
	it.Response = in
	return 204, nil
}

// Response returns the callback an interaction was answered with: its
// type and, for messages, the content.
func (s *Server) Response(id string) (int, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	if !ok || it.Response == nil {
		return 0, "", false
	}
	typ, _ := it.Response["type"].(float64)
	data, _ := it.Response["data"].(map[string]any)
	content, _ := data["content"].(string)
	return int(typ), content, true
}

// Commands returns the application commands the bot registered.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.commands {
		var cmd struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(c, &cmd)
		out = append(out, cmd.Name)
	}
	return out
}
