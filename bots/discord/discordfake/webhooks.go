package discordfake

import (
	"strings"
)

// MaxWebhooksPerChannel is Discord's cap (error 30007 beyond it).
const MaxWebhooksPerChannel = 15

// checkName applies Discord's webhook name rules to a webhook's name or a
// per-message username override; field names the form field.
func checkName(field, name string) *apiError {
	low := strings.ToLower(name)
	for _, bad := range []string{"discord", "clyde"} {
		if strings.Contains(low, bad) {
			return formError(field, "USERNAME_INVALID_CONTAINS", "Username cannot contain \""+bad+"\"")
		}
	}
	if low == "everyone" || low == "here" {
		return formError(field, "USERNAME_INVALID", "Username cannot be \""+low+"\"")
	}
	if runes(name) > 80 {
		return formError(field, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length.")
	}
	return nil
}

func (s *Server) createWebhook(c *Channel, in map[string]any) (int, any) {
	if c.Type != TypeText && c.Type != TypeForum {
		return 0, &apiError{status: 400, code: 50024, msg: "Cannot execute action on this channel type"}
	}
	name := str(in, "name")
	if name == "" {
		return 0, formError("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length.")
	}
	if e := checkName("name", name); e != nil {
		return 0, e
	}
	n := 0
	for _, w := range s.webhooks {
		if w.ChannelID == c.ID {
			n++
		}
	}
	if n >= MaxWebhooksPerChannel {
		return 0, errTooManyHooks
	}
	w := &Webhook{ID: s.newID(), ChannelID: c.ID, GuildID: c.GuildID, Name: name, Type: 1}
	w.Token = "wh" + w.ID + "-token"
	s.webhooks[w.ID] = w
	s.recordLocked("webhook_create", c.ID, w.ID, name)
	return 200, map[string]any{"id": w.ID, "token": w.Token, "channel_id": w.ChannelID, "guild_id": w.GuildID, "name": w.Name,
		"type": 1, "avatar": nil, "application_id": s.o.ApplicationID, "user": s.bot}
}

// webhookRoute serves webhooks/{id}[/{token}[/messages/{id}]], including
// interaction followups at webhooks/{application_id}/{interaction token}.
func (s *Server) webhookRoute(req request) (int, any) {
	p := req.parts
	if p[1] == s.o.ApplicationID && len(p) >= 3 {
		return s.followupRoute(req)
	}
	w, ok := s.webhooks[p[1]]
	if !ok || (len(p) >= 3 && p[2] != w.Token) {
		return 0, notFound(10015, "Webhook")
	}
	switch {
	case len(p) == 2 && req.method == "GET":
		return 200, w
	case len(p) == 2 && req.method == "DELETE":
		delete(s.webhooks, w.ID)
		return 204, nil
	case len(p) == 3 && req.method == "GET":
		out := *w
		return 200, out
	}
	target, e := s.webhookTarget(w, req.q.Get("thread_id"))
	if e != nil {
		return 0, e
	}
	switch {
	case len(p) == 3 && req.method == "POST":
		return s.executeWebhook(w, target, req)
	case len(p) == 5 && p[3] == "messages":
		msg := s.findLocked(target.ID, p[4])
		if msg == nil || msg.WebhookID != w.ID {
			return 0, notFound(10008, "Message")
		}
		switch req.method {
		case "GET":
			return 200, s.messageJSON(msg)
		case "PATCH":
			out, e := s.editMessage(msg, req.in, req.files)
			if e != nil {
				return 0, e
			}
			return 200, s.messageJSON(out)
		case "DELETE":
			if e := s.deleteMessage(msg); e != nil {
				return 0, e
			}
			return 204, nil
		}
	}
	return 0, errMethod
}

// webhookTarget is the webhook's channel, or with thread_id one of its
// threads.
func (s *Server) webhookTarget(w *Webhook, threadID string) (*Channel, *apiError) {
	if threadID == "" {
		return s.channels[w.ChannelID], nil
	}
	th, ok := s.channels[threadID]
	if !ok {
		return nil, notFound(10003, "Channel")
	}
	if th.ParentID != w.ChannelID {
		return nil, formError("thread_id", "BASE_TYPE_INVALID", "Invalid thread for this webhook")
	}
	return th, nil
}

func (s *Server) executeWebhook(w *Webhook, target *Channel, req request) (int, any) {
	in := req.in
	if name, ok := in["username"].(string); ok && name != "" {
		if e := checkName("username", name); e != nil {
			return 0, e
		}
	}
	threadName := str(in, "thread_name")
	parent := s.channels[w.ChannelID]
	switch {
	case req.q.Get("thread_id") != "" && threadName != "":
		return 0, formError("thread_name", "BASE_TYPE_INVALID", "Cannot specify both thread_id and thread_name")
	case threadName != "" && parent.Type == TypeForum:
		if e := validate(in, len(req.files)); e != nil {
			return 0, e
		}
		th, e := s.makeThread(parent, "", w.ID, map[string]any{"name": threadName, "applied_tags": in["applied_tags"]})
		if e != nil {
			return 0, e
		}
		msg, e := s.postWebhookMessage(w, th, in, req.files, th.ID)
		return s.webhookResult(req, msg, e)
	case threadName != "":
		return 0, formError("thread_name", "BASE_TYPE_INVALID", "thread_name is only supported in forum and media channels")
	case target.Type == TypeForum:
		return 0, &apiError{status: 400, code: 220001, msg: "Webhooks posted to forum channels must have a thread_name or thread_id"}
	}
	msg, e := s.postWebhookMessage(w, target, in, req.files, "")
	return s.webhookResult(req, msg, e)
}

func (s *Server) webhookResult(req request, msg *Message, e *apiError) (int, any) {
	if e != nil {
		return 0, e
	}
	if req.q.Get("wait") != "true" {
		return 204, nil
	}
	return 200, s.messageJSON(msg)
}

// postWebhookMessage posts as the webhook; id, when set, is the message id
// to use (a forum post's first message shares the thread's id).
func (s *Server) postWebhookMessage(w *Webhook, target *Channel, in map[string]any, files []upload, id string) (*Message, *apiError) {
	if id == "" {
		return s.postMessage(target, User{}, w.ID, in, files)
	}
	if e := validate(in, len(files)); e != nil {
		return nil, e
	}
	msg := &Message{ID: id, ChannelID: target.ID, WebhookID: w.ID, At: s.o.Now(), ReactedBy: map[string][]string{},
		Username: str(in, "username"), AvatarURL: str(in, "avatar_url")}
	msg.Author = User{ID: w.ID, Username: msg.Username, Bot: true}
	if msg.Author.Username == "" {
		msg.Author.Username = w.Name
	}
	if e := s.fillMessage(msg, in, files, false); e != nil {
		return nil, e
	}
	s.messages[target.ID] = append(s.messages[target.ID], msg)
	s.recordLocked("send", target.ID, msg.ID, msg.Content)
	s.dispatchLocked("MESSAGE_CREATE", target.GuildID, s.messageJSON(msg))
	return msg, nil
}
