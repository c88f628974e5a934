package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"cornershop/core"
)

// Run implements core.Platform: Socket Mode until ctx ends, or, in events
// mode, readiness for Handler.
func (b *Bot) Run(ctx context.Context, in core.Inbox) error {
	b.in.Store(&inboxRef{in})
	defer b.ready.Store(false)
	for {
		err := b.whoami(ctx)
		if err == nil {
			break
		}
		if class, _ := core.Classify(err); class == core.ClassPermanent {
			return fmt.Errorf("slack: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	if b.o.Mode == "events" {
		b.ready.Store(true)
		<-ctx.Done()
		return ctx.Err()
	}
	return b.socketMode(ctx, in)
}

func (b *Bot) socketMode(ctx context.Context, in core.Inbox) error {
	sm := socketmode.New(b.api)
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	sh := newShards(socketShards, func(evt socketmode.Event) {
		if ctx.Err() == nil { // after the end, unacknowledged: Slack sends it again
			b.onSocketEvent(ctx, sm, in, evt)
		}
	})
	defer sh.stop()
	for {
		select {
		case <-ctx.Done():
			<-errc
			return ctx.Err()
		case err := <-errc:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("slack socket mode: %w", err)
		case evt, ok := <-sm.Events:
			if !ok {
				return ctx.Err()
			}
			sh.do(eventKey(evt), evt)
		}
	}
}

// socketShards is how many Socket Mode events are handled at once.
const socketShards = 32

// shards handles events with the same key in order, one at a time, and
// events with different keys concurrently, so that messages in different
// threads share the relay's group commit instead of taking one commit
// each (a desk's threads are different conversations).
type shards struct {
	queues []chan socketmode.Event
	wg     sync.WaitGroup
}

func newShards(n int, handle func(socketmode.Event)) *shards {
	s := &shards{queues: make([]chan socketmode.Event, n)}
	for i := range s.queues {
		q := make(chan socketmode.Event, 64)
		s.queues[i] = q
		s.wg.Go(func() {
			for evt := range q {
				handle(evt)
			}
		})
	}
	return s
}

func (s *shards) do(key string, evt socketmode.Event) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	s.queues[h.Sum32()%uint32(len(s.queues))] <- evt
}

// stop waits for the events queued to be handled.
func (s *shards) stop() {
	for _, q := range s.queues {
		close(q)
	}
	s.wg.Wait()
}

// eventKey is what an event must stay in order with: its thread (a
// conversation in a desk or a customer channel), else its channel.
func eventKey(evt socketmode.Event) string {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return ""
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		thread := e.ThreadTimeStamp
		if thread == "" && e.Message != nil {
			thread = e.Message.ThreadTimestamp
		}
		if thread == "" && e.PreviousMessage != nil {
			thread = e.PreviousMessage.ThreadTimestamp
		}
		if thread != "" {
			return e.Channel + "/" + thread
		}
		return e.Channel
	case *slackevents.ReactionAddedEvent:
		return e.Item.Channel
	}
	return ""
}

// onSocketEvent handles one Socket Mode event. An envelope is acknowledged
// only once what it carries is recorded; otherwise Slack sends it again.
func (b *Bot) onSocketEvent(ctx context.Context, sm *socketmode.Client, in core.Inbox, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected, socketmode.EventTypeHello:
		b.ready.Store(true)
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnectionError, socketmode.EventTypeDisconnect:
		b.ready.Store(false)
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		if err := b.onEvent(ctx, in, ev); err != nil && !errors.Is(err, core.ErrInvalid) {
			b.o.Logger.Warn("slack event not recorded; Slack will send it again", "err", err)
			return
		}
		_ = sm.AckCtx(ctx, evt.Request.EnvelopeID, nil)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		text, buttons, err := b.onSlash(ctx, in, cmd, cmd.TriggerID)
		if err != nil && !errors.Is(err, core.ErrInvalid) {
			b.o.Logger.Warn("slack command failed", "err", err)
			text, buttons = "Something went wrong; try again.", nil
		}
		var answer any // none for a command acted on before
		if text != "" {
			answer = slashAnswer(text, buttons)
		}
		_ = sm.AckCtx(ctx, evt.Request.EnvelopeID, answer)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if _, err := b.onInteraction(ctx, in, cb, cb.TriggerID); err != nil && !errors.Is(err, core.ErrInvalid) {
			b.o.Logger.Warn("slack interaction failed", "err", err)
		}
		_ = sm.AckCtx(ctx, evt.Request.EnvelopeID, nil)
	}
}

// Handler serves the Events API (/events), slash commands (/commands) and
// interactivity (/interactive). Requests must carry a valid v0 signature no
// older than five minutes (401 otherwise, nothing recorded); an event is
// answered 200 only after it is recorded. A command or interaction is
// acted on once: its trigger_id (the signature when it has none) is
// recorded with the action, and the same request again — a replay within
// the five minutes — gets 200 with an empty body and does nothing. Events
// need no such record: Slack's retries (X-Slack-Retry-Num) and replays
// carry the same message ts, reaction or edit, which the relay records
// once.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /events", func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			b.refuse(w, r, http.StatusBadRequest, "undecodable event")
			return
		}
		if ev.Type == slackevents.URLVerification {
			var ch slackevents.ChallengeResponse
			_ = json.Unmarshal(body, &ch)
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, ch.Challenge)
			return
		}
		in := b.in.Load()
		if in == nil {
			http.Error(w, "not running", http.StatusServiceUnavailable)
			return
		}
		var id struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(body, &id)
		if err := b.onEvent(r.Context(), in.Inbox, ev); err != nil && !errors.Is(err, core.ErrInvalid) {
			b.o.Logger.Warn("slack event not recorded; Slack will retry", "event", id.EventID, "err", err)
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /commands", func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		in := b.in.Load()
		switch {
		case err != nil:
			b.refuse(w, r, http.StatusBadRequest, "undecodable command")
			return
		case in == nil:
			b.refuse(w, r, http.StatusServiceUnavailable, "not running")
			return
		}
		cmd := slackapi.SlashCommand{Command: form.Get("command"), Text: form.Get("text"), UserID: form.Get("user_id"), UserName: form.Get("user_name"),
			ChannelID: form.Get("channel_id"), TriggerID: form.Get("trigger_id")}
		text, buttons, err := b.onSlash(r.Context(), in.Inbox, cmd, requestID(cmd.TriggerID, r))
		if err != nil && !errors.Is(err, core.ErrInvalid) {
			text, buttons = "Something went wrong; try again.", nil
		}
		if text == "" { // acted on before: an empty 200 shows nothing
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(slashAnswer(text, buttons))
	})
	mux.HandleFunc("POST /interactive", func(w http.ResponseWriter, r *http.Request) {
		body, ok := b.verified(w, r)
		if !ok {
			return
		}
		form, err := url.ParseQuery(string(body))
		in := b.in.Load()
		var cb slackapi.InteractionCallback
		switch {
		case err != nil || json.Unmarshal([]byte(form.Get("payload")), &cb) != nil:
			b.refuse(w, r, http.StatusBadRequest, "undecodable interaction")
			return
		case in == nil:
			b.refuse(w, r, http.StatusServiceUnavailable, "not running")
			return
		}
		if _, err := b.onInteraction(r.Context(), in.Inbox, cb, requestID(cb.TriggerID, r)); err != nil && !errors.Is(err, core.ErrInvalid) {
			http.Error(w, "not recorded", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	return mux
}

// requestID is a signed request's identity for replay detection: its
// trigger_id, which Slack gives every slash command and interaction, or
// else its signature (unique to its timestamp and body).
func requestID(triggerID string, r *http.Request) string {
	if triggerID != "" {
		return triggerID
	}
	return "sig:" + r.Header.Get("X-Slack-Signature")
}

// maxBody bounds what the Events API endpoints read; Slack's payloads
// are a few kilobytes.
const maxBody = 1 << 20

// refuse answers a request that is not taken with status and logs why,
// never what it carried.
func (b *Bot) refuse(w http.ResponseWriter, r *http.Request, status int, reason string) {
	b.o.Logger.Warn("slack request refused", "path", r.URL.Path, "status", status, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, reason, status)
}

// verified reads the body and checks Slack's v0 signature within five
// minutes of now; on failure it answers 401 (413 for a body over 1 MiB,
// which no signature could make acceptable).
func (b *Bot) verified(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		b.refuse(w, r, http.StatusRequestEntityTooLarge, "body over 1 MiB")
		return nil, false
	case err != nil:
		b.refuse(w, r, http.StatusBadRequest, "unreadable body")
		return nil, false
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil || b.o.Now().Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		b.refuse(w, r, http.StatusUnauthorized, "stale or missing timestamp")
		return nil, false
	}
	v, err := slackapi.NewSecretsVerifier(r.Header, b.o.SigningSecret)
	if err == nil {
		_, _ = v.Write(body)
		err = v.Ensure()
	}
	if err != nil {
		b.refuse(w, r, http.StatusUnauthorized, "invalid signature")
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, true
}

// onEvent turns one Events API event into core events.
func (b *Bot) onEvent(ctx context.Context, in core.Inbox, ev slackevents.EventsAPIEvent) error {
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		return b.onMessage(ctx, in, e)
	case *slackevents.ReactionAddedEvent:
		if b.ours("", e.User) || e.Item.Channel == "" {
			return nil
		}
		place := core.Place{Platform: core.Slack, Chat: e.Item.Channel}
		return in.Handle(ctx, core.ReactionEvent{Place: place, ID: e.Item.Timestamp, Sender: core.Sender{UserID: e.User, Name: b.displayName(ctx, e.User)}, Emoji: emojiFromName(e.Reaction), At: tsTime(e.EventTimestamp)})
	}
	return nil
}

// placeOf says where a message is and whether cornershop hears it: desk
// threads, DMs with the app, customer channels and ideas boards (where a
// top-level post is a proposal and a thread reply a comment: the relay
// decides which).
func (b *Bot) placeOf(channel, channelType, threadTS string) (core.Place, bool) {
	p := core.Place{Platform: core.Slack, Chat: channel, Thread: threadTS}
	switch {
	case b.isDesk(channel), b.isBoard(channel), b.isCustomer(channel, channelType), b.isListening(channel):
		return p, true
	}
	return core.Place{Platform: core.Slack, Chat: channel}, false
}

func (b *Bot) onMessage(ctx context.Context, in core.Inbox, e *slackevents.MessageEvent) error {
	switch e.SubType {
	case "message_changed":
		if e.Message == nil || b.ours(e.Message.BotID, e.Message.User) || e.Message.BotID != "" {
			return nil
		}
		place, ok := b.placeOf(e.Channel, e.ChannelType, e.Message.ThreadTimestamp)
		if !ok {
			return nil
		}
		return in.Handle(ctx, core.EditEvent{Place: place, ID: e.Message.Timestamp, Sender: core.Sender{UserID: e.Message.User},
			Text: plain(e.Message.Text, b.nameFunc(ctx)), At: tsTime(e.TimeStamp)})
	case "message_deleted":
		place, ok := b.placeOf(e.Channel, e.ChannelType, "")
		if !ok || e.DeletedTimeStamp == "" {
			return nil
		}
		if e.PreviousMessage != nil && b.ours(e.PreviousMessage.BotID, e.PreviousMessage.User) {
			return nil
		}
		return in.Handle(ctx, core.DeleteEvent{Place: place, ID: e.DeletedTimeStamp, At: tsTime(e.TimeStamp)})
	case "", "file_share", "thread_broadcast":
	default:
		return nil // joins, topic changes, bot messages, …
	}
	if b.ours(e.BotID, e.User) || e.BotID != "" || e.User == "" {
		return nil // our own posts come back as events: never relay them
	}
	place, ok := b.placeOf(e.Channel, e.ChannelType, e.ThreadTimeStamp)
	if !ok {
		return nil
	}
	if b.isDesk(e.Channel) && e.ThreadTimeStamp == "" {
		return nil // the desk channel's own chatter
	}
	var name, avatar string
	if b.isListening(e.Channel) {
		name = b.displayName(ctx, e.User) // busy channels: one users.info per person, not per message
	} else {
		name, avatar = b.profile(ctx, e.User)
	}
	msg := core.MessageEvent{
		Place: place, ID: e.TimeStamp, Sender: core.Sender{UserID: e.User, Name: name, AvatarURL: avatar},
		Text: plain(e.Text, b.nameFunc(ctx)), At: tsTime(e.TimeStamp), Direct: e.ChannelType == "im",
	}
	if e.Message != nil {
		for _, f := range e.Message.Files {
			msg.Attachments = append(msg.Attachments, core.Attachment{Kind: fileKind(f.Mimetype), Name: f.Name, ContentType: f.Mimetype,
				Size: int64(f.Size), Platform: core.Slack, Ref: firstNonEmpty(f.URLPrivateDownload, f.URLPrivate)})
		}
	}
	return in.Handle(ctx, msg)
}

func fileKind(mime string) core.AttachmentKind {
	if strings.HasPrefix(mime, "image/") {
		return core.KindImage
	}
	return core.KindFile
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// tsTime reads a Slack ts ("1700000000.000100") as a time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}

// onSlash runs "/cornershop <command> [args]": at customer places and on
// ideas boards the customer commands (idea, ideas, vote, link, help). Slash
// commands carry no thread, so in a desk channel only the commands that
// need none (idea moderation, idea lists) run; the others are explained.
// id is the invocation's identity; a command acted on before answers "".
func (b *Bot) onSlash(ctx context.Context, in core.Inbox, cmd slackapi.SlashCommand, id string) (string, []core.Button, error) {
	ai, ok := in.(core.ActionInbox)
	if !ok {
		return "This service does not take commands.", nil, nil
	}
	name, args := slashAction(cmd.Text)
	if name == "" || b.isDesk(cmd.ChannelID) && name != "idea" && name != "ideas" {
		return "Slack sends slash commands without their thread, so in the desk use the buttons on a conversation's card, " +
			"the message shortcut on any message of the thread, or type the command in the thread: !close, !reopen, !assign me, !help. " +
			"/cornershop idea <n> … and /cornershop ideas work anywhere in the desk.", nil, nil
	}
	res, err := ai.Act(ctx, core.ActionEvent{Place: core.Place{Platform: core.Slack, Chat: cmd.ChannelID}, Sender: b.actor(ctx, cmd.UserID, cmd.UserName),
		Name: name, Args: args, ID: id, At: b.o.Now()})
	return asSlash(res.Text), res.Buttons, err
}

// slashAction splits a slash command's text into the action's name (lower
// case) and its arguments: "Idea Dark mode — at night" is idea [Dark mode
// — at night].
func slashAction(text string) (string, []string) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return "", nil
	}
	return strings.ToLower(fields[0]), fields[1:]
}

// onInteraction runs card buttons (block_actions with action_id
// "cornershop:<command>") and the "cornershop" message shortcut, whose
// callback id names the command. id is the invocation's identity; an
// interaction acted on before does nothing and answers "".
func (b *Bot) onInteraction(ctx context.Context, in core.Inbox, cb slackapi.InteractionCallback, id string) (string, error) {
	ai, ok := in.(core.ActionInbox)
	if !ok {
		return "", nil
	}
	var name, thread, ref string
	var args []string
	channel := cb.Channel.ID
	switch cb.Type {
	case slackapi.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return "", nil
		}
		a := cb.ActionCallback.BlockActions[0]
		cmd, ok := strings.CutPrefix(a.ActionID, "cornershop:")
		if !ok {
			return "", nil
		}
		cmd, _, _ = strings.Cut(cmd, "#") // buttons of one block: "answer#0", "answer#1"
		name, ref, args = cmd, cb.Container.MessageTs, strings.Fields(a.Value)
		thread = firstNonEmpty(cb.Container.ThreadTs, cb.Message.ThreadTimestamp, cb.Container.MessageTs)
		channel = firstNonEmpty(channel, cb.Container.ChannelID)
	case slackapi.InteractionTypeMessageAction:
		name = strings.TrimPrefix(cb.CallbackID, "cornershop:")
		ref = cb.Message.Timestamp
		thread = firstNonEmpty(cb.Message.ThreadTimestamp, cb.Message.Timestamp)
	default:
		return "", nil
	}
	res, err := ai.Act(ctx, core.ActionEvent{Place: core.Place{Platform: core.Slack, Chat: channel, Thread: thread},
		Sender: b.actor(ctx, cb.User.ID, cb.User.Name), Name: name, Args: args, Ref: ref, ID: id, At: b.o.Now()})
	if err == nil && res.Text != "" {
		b.tell(ctx, channel, firstNonEmpty(cb.Container.ThreadTs, cb.Message.ThreadTimestamp), cb.User.ID, asSlash(res.Text))
	}
	return asSlash(res.Text), err
}

// tell shows the answer to a button or shortcut to the one who pressed it
// (chat.postEphemeral, in the thread when the message is in one). The
// action is done either way, so a failure is only logged.
func (b *Bot) tell(ctx context.Context, channel, thread, userID, text string) {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(escape(clip(text, maxText)), false)}
	if thread != "" {
		opts = append(opts, slackapi.MsgOptionTS(thread))
	}
	if _, err := b.api.PostEphemeralContext(ctx, channel, userID, opts...); err != nil {
		b.o.Logger.Warn("slack: the answer to an action was not shown", "err", b.classify("chat.postEphemeral", err))
	}
}

// actor is who ran a command or pressed a button: Slack sends only the id
// and handle, so the name (a voter's, a proposer's) comes from the profile.
func (b *Bot) actor(ctx context.Context, userID, handle string) core.Sender {
	return core.Sender{UserID: userID, Handle: handle, Name: firstNonEmpty(b.displayName(ctx, userID), handle)}
}

// profile returns a user's display name and avatar (cached).
func (b *Bot) profile(ctx context.Context, userID string) (string, string) {
	u, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return "", ""
	}
	name := firstNonEmpty(u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name)
	b.mu.Lock()
	b.names[userID] = name
	b.mu.Unlock()
	return name, firstNonEmpty(u.Profile.Image192, u.Profile.Image72)
}

func (b *Bot) displayName(ctx context.Context, userID string) string {
	b.mu.Lock()
	n, ok := b.names[userID]
	b.mu.Unlock()
	if ok {
		return n
	}
	n, _ = b.profile(ctx, userID)
	return n
}

func (b *Bot) nameFunc(ctx context.Context) func(string) string {
	return func(id string) string { return b.displayName(ctx, id) }
}
