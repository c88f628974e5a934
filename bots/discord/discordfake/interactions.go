package discordfake

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Interaction callback types.
const (
	CallbackPong                    = 1
	CallbackMessage                 = 4
	CallbackDeferredMessage         = 5
	CallbackDeferredUpdate          = 6
	CallbackUpdateMessage           = 7
	CallbackModal                   = 9
	flagEphemeral                   = 1 << 6
	flagLoading                     = 1 << 7
	interactionResponseDeadline     = 3 * time.Second
	interactionFollowupLifetime     = 15 * time.Minute
	interactionTypeCommand          = 2
	interactionTypeComponent        = 3
	interactionTypeModalSubmit      = 5
	componentTypeButton             = 2
	applicationCommandChatInput     = 1
	applicationCommandOptionText    = 3
	applicationCommandOptionInteger = 4
	applicationCommandOptionBoolean = 5
	applicationCommandOptionNumber  = 10
)

type interaction struct {
	id, token  string
	typ        int
	channelID  string
	messageID  string // the component's message
	userID     string
	created    time.Time
	respType   int
	respData   json.RawMessage
	original   *Message // response message (4, 5) or component message (6, 7)
	followups  []*Message
	ephemeral  bool
	responseAt time.Time
}

// InteractionRecord is what the bot did with an interaction.
type InteractionRecord struct {
	ID, Token string
	Type      int // 2 application command, 3 message component
	ChannelID string
	UserID    string
	// ResponseType is the callback type (4, 5, 6, 7, 9), 0 before any.
	ResponseType int
	ResponseData json.RawMessage // the callback's data, raw
	Ephemeral    bool
	// Original is the response message (types 4 and 5, after any
	// @original edits) or the component's message (6 and 7).
	Original  *Message
	Followups []Message
}

// Command makes u run the slash command name with options (name -> value
// as text) in a channel, dispatching INTERACTION_CREATE; it returns the
// interaction id (see Interaction and Response). Each option is sent as
// Discord sends it: with the type the registered command declares for it
// (string when the command or option is not registered), and its value as
// that type's JSON — integers and numbers as JSON numbers, booleans as
// true/false.
func (s *Server) Command(channelID string, u User, name string, options map[string]string) string {
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	s.mu.Lock()
	defer s.mu.Unlock()
	cmdID := s.newID()
	var declared []any
	for _, list := range s.commands {
		for _, c := range list {
			if c["name"] == name {
				cmdID, _ = c["id"].(string)
				declared, _ = c["options"].([]any)
			}
		}
	}
	opts := []map[string]any{}
	for _, k := range keys {
		typ := optionTypeOf(declared, k)
		opts = append(opts, map[string]any{"name": k, "type": typ, "value": optionValue(typ, options[k])})
	}
	return s.interactLocked(channelID, u, interactionTypeCommand, map[string]any{"id": cmdID, "name": name, "type": applicationCommandChatInput, "options": opts}, nil)
}

// optionTypeOf is the type a registered command declares for its option
// name, string when it declares none.
func optionTypeOf(declared []any, name string) int {
	for _, o := range declared {
		if o, ok := o.(map[string]any); ok && o["name"] == name {
			if t, ok := o["type"].(float64); ok {
				return int(t)
			}
		}
	}
	return applicationCommandOptionText
}

// optionValue is an option's value as Discord sends it for its type; text
// that does not parse as the type is sent as text.
func optionValue(typ int, text string) any {
	switch typ {
	case applicationCommandOptionInteger:
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	case applicationCommandOptionNumber:
		if f, err := strconv.ParseFloat(text, 64); err == nil {
			return f
		}
	case applicationCommandOptionBoolean:
		if b, err := strconv.ParseBool(text); err == nil {
			return b
		}
	}
	return text
}

// Click makes u press the button custom_id on a message, dispatching
// INTERACTION_CREATE with the message; it returns the interaction id.
func (s *Server) Click(channelID, messageID string, u User, customID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interactLocked(channelID, u, interactionTypeComponent, map[string]any{"custom_id": customID, "component_type": componentTypeButton}, s.findLocked(channelID, messageID))
}

func (s *Server) interactLocked(channelID string, u User, typ int, data map[string]any, msg *Message) string {
	it := &interaction{id: s.newID(), typ: typ, channelID: channelID, userID: u.ID, created: s.o.Now()}
	it.token = "aW50ZXJhY3Rpb24" + it.id
	s.interactions[it.id] = it
	c := s.channels[channelID]
	d := map[string]any{"id": it.id, "application_id": s.o.ApplicationID, "type": typ, "data": data, "token": it.token, "version": 1,
		"channel_id": channelID, "app_permissions": "8", "locale": "en-US", "entitlements": []any{}, "authorizing_integration_owners": map[string]any{}}
	if c != nil {
		d["channel"] = s.channelJSON(c)
	}
	guild := ""
	if c != nil && c.GuildID != "" {
		guild = c.GuildID
		d["guild_id"] = c.GuildID
		d["guild_locale"] = "en-US"
		member := map[string]any{"user": u, "roles": []string{}, "permissions": "2248473465835073", "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0}
		if g := s.guilds[c.GuildID]; g != nil && g.Members[u.ID] != "" {
			member["nick"] = g.Members[u.ID]
		}
		d["member"] = member
	} else {
		d["user"] = u
	}
	if msg != nil {
		it.messageID = msg.ID
		d["message"] = s.messageJSON(msg)
	}
	s.deliverInteractionLocked(guild, d)
	return it.id
}

// interactionCallback answers POST /interactions/{id}/{token}/callback.
func (s *Server) interactionCallback(id, token string, req request) (int, any) {
	it, ok := s.interactions[id]
	if !ok || it.token != token || s.o.Now().Sub(it.created) > interactionResponseDeadline {
		return 0, notFound(10062, "interaction")
	}
	if it.respType != 0 {
		return 0, errAcked
	}
	typ, _ := req.in["type"].(float64)
	data, _ := req.in["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	flags, _ := data["flags"].(float64)
	c := s.channels[it.channelID]
	switch int(typ) {
	case CallbackMessage, CallbackDeferredMessage:
		eph := int(flags)&flagEphemeral != 0
		msg := &Message{ID: s.newID(), ChannelID: it.channelID, Author: s.bot, At: s.o.Now(), InteractionID: it.id, ReactedBy: map[string][]string{}}
		if int(typ) == CallbackMessage {
			if e := validate(data, len(req.files)); e != nil {
				return 0, e
			}
			if e := s.fillMessage(msg, data, req.files, false); e != nil {
				return 0, e
			}
		} else {
			msg.Flags = int(flags) | flagLoading
		}
		it.original, it.ephemeral = msg, eph
		if !eph && c != nil {
			s.messages[c.ID] = append(s.messages[c.ID], msg)
			s.dispatchLocked("MESSAGE_CREATE", c.GuildID, s.messageJSON(msg))
		}
	case CallbackDeferredUpdate, CallbackUpdateMessage:
		if it.typ != interactionTypeComponent && it.typ != interactionTypeModalSubmit {
			return 0, &apiError{status: 400, code: 50035, msg: "Interaction callback type is only valid for component interactions"}
		}
		it.original = s.findLocked(it.channelID, it.messageID)
		if int(typ) == CallbackUpdateMessage && it.original != nil {
			if _, e := s.editMessage(it.original, data, req.files); e != nil {
				return 0, e
			}
		}
	case CallbackModal:
	default:
		return 0, formError("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.")
	}
	it.respType, it.respData, it.responseAt = int(typ), mustJSON(data), s.o.Now()
	s.recordLocked("interaction_response", it.channelID, it.id, string(it.respData))
	return 204, nil
}

// followupRoute serves webhooks/{application_id}/{token}[/messages/{id}]
// for interaction followups and @original.
func (s *Server) followupRoute(req request) (int, any) {
	var it *interaction
	for _, x := range s.interactions {
		if x.token == req.parts[2] {
			it = x
		}
	}
	if it == nil || it.respType == 0 || s.o.Now().Sub(it.created) > interactionFollowupLifetime {
		return 0, notFound(10015, "Webhook")
	}
	p := req.parts
	c := s.channels[it.channelID]
	if len(p) == 3 && req.method == "POST" {
		flags, _ := req.in["flags"].(float64)
		if e := validate(req.in, len(req.files)); e != nil {
			return 0, e
		}
		var msg *Message
		if int(flags)&flagEphemeral != 0 || c == nil {
			msg = &Message{ID: s.newID(), ChannelID: it.channelID, Author: s.bot, WebhookID: s.o.ApplicationID, At: s.o.Now(), InteractionID: it.id}
			if e := s.fillMessage(msg, req.in, req.files, false); e != nil {
				return 0, e
			}
		} else {
			var e *apiError
			if msg, e = s.postMessage(c, s.bot, s.o.ApplicationID, req.in, req.files); e != nil {
				return 0, e
			}
			msg.InteractionID = it.id
		}
		it.followups = append(it.followups, msg)
		s.recordLocked("followup", it.channelID, msg.ID, msg.Content)
		return 200, s.messageJSON(msg)
	}
	if len(p) != 5 || p[3] != "messages" {
		return 0, errMethod
	}
	var msg *Message
	if p[4] == "@original" {
		msg = it.original
	} else {
		for _, f := range it.followups {
			if f.ID == p[4] {
				msg = f
			}
		}
	}
	if msg == nil || msg.Deleted {
		return 0, notFound(10008, "Message")
	}
	switch req.method {
	case "GET":
		return 200, s.messageJSON(msg)
	case "PATCH":
		msg.Flags &^= flagLoading
		visible := slices.Contains(s.messages[msg.ChannelID], msg)
		if visible {
			if _, e := s.editMessage(msg, req.in, req.files); e != nil {
				return 0, e
			}
		} else if e := s.fillMessage(msg, req.in, req.files, true); e != nil {
			return 0, e
		} else {
			msg.Edited = true
		}
		return 200, s.messageJSON(msg)
	case "DELETE":
		if slices.Contains(s.messages[msg.ChannelID], msg) {
			if e := s.deleteMessage(msg); e != nil {
				return 0, e
			}
		}
		msg.Deleted = true
		return 204, nil
	}
	return 0, errMethod
}

// Interaction returns what the bot did with an interaction.
func (s *Server) Interaction(id string) (InteractionRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	if !ok {
		return InteractionRecord{}, false
	}
	r := InteractionRecord{ID: it.id, Token: it.token, Type: it.typ, ChannelID: it.channelID, UserID: it.userID,
		ResponseType: it.respType, ResponseData: it.respData, Ephemeral: it.ephemeral}
	if it.original != nil {
		m := copyMessage(it.original)
		r.Original = &m
	}
	for _, f := range it.followups {
		r.Followups = append(r.Followups, copyMessage(f))
	}
	return r, true
}

// Response returns the callback type an interaction was answered with
// and the content of its response message (after @original edits; for
// types 6 and 7 the component message); ok is false before any answer.
func (s *Server) Response(id string) (typ int, content string, ok bool) {
	r, found := s.Interaction(id)
	if !found || r.ResponseType == 0 {
		return 0, "", false
	}
	if r.Original != nil {
		content = r.Original.Content
	}
	return r.ResponseType, content, true
}

// Commands returns the names of the application commands the bot
// registered, global ones first, then per guild.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var guilds []string
	for g := range s.commands {
		guilds = append(guilds, g)
	}
	slices.Sort(guilds)
	var out []string
	for _, g := range guilds {
		for _, c := range s.commands[g] {
			name, _ := c["name"].(string)
			out = append(out, name)
		}
	}
	return out
}
