package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/internal/chunk"
	"cornershop/bots/internal/fetch"
	"cornershop/core"
)

// uploadLimit is Discord's default per-file limit.
const uploadLimit = 10 << 20

// noPings allows no mention at all; Parse is an empty, non-nil slice so it
// is sent as "parse":[] (a nil slice would be null).
func noPings() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// webhookPrefix marks receipt ids of messages posted through a webhook.
const webhookPrefix = "w:"

// speaker is who a post shows as: a name and avatar for webhooks and
// embeds, or nobody (the bot itself).
func (b *Bot) speaker(m core.Outgoing) (name, avatar string, ok bool) {
	switch m.Kind {
	case core.KindReply:
		if m.Voice.Team {
			return safeName(firstNonEmpty(m.Voice.Name, b.o.TeamName, "Support")), firstNonEmpty(m.Voice.AvatarURL, b.o.TeamAvatarURL), true
		}
		return safeName(m.Voice.Label()), m.Voice.AvatarURL, true
	case core.KindCustomerCopy:
		name := firstNonEmpty(m.From.Name, m.From.Handle, "Customer")
		if m.From.Platform != "" && m.From.Platform != core.Discord {
			name += " (" + string(m.From.Platform) + ")"
		}
		return safeName(name), m.From.AvatarURL, true
	}
	return "", "", false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// contents renders the text of an outgoing message in parts of at most
// 2,000 characters as Discord counts them, escapes included: a text of
// 2,000 "*" is 4,000 characters once each is sent as "\*".
func contents(m core.Outgoing) []string {
	text := m.Text
	if m.Kind == core.KindReply && m.Voice.Signature != "" && !m.Voice.Team {
		text += "\n— " + m.Voice.Signature
	}
	var head, open, close, tail string
	if m.Kind == core.KindNoteEcho {
		head = "📝 **" + escape(m.Voice.Name) + "** (internal note): "
	}
	if tag, _ := mention(m.Mention); tag != "" {
		head = tag + " " + head
	}
	switch {
	case m.Deleted:
		open, close, tail = "~~", "~~", " *(deleted)*"
	case m.Edited:
		tail = " *(edited)*"
	}
	room := maxContent - utf8.RuneCountInString(head+open+close+tail)
	pieces := chunk.SplitSized(text, max(room, 100), func(s string) int { return utf8.RuneCountInString(escape(s)) })
	out := make([]string, len(pieces))
	for i, p := range pieces {
		out[i] = open + escape(p) + close
	}
	out[0] = head + out[0]
	out[len(out)-1] += tail
	return out
}

// Send implements core.Platform.
func (b *Bot) Send(ctx context.Context, m core.Outgoing) (core.Receipt, error) {
	if err := b.admit(); err != nil {
		return core.Receipt{}, err
	}
	_, typ, _, err := b.channel(ctx, m.Place.Chat)
	if err != nil {
		return core.Receipt{}, err
	}
	rc := core.Receipt{}
	place := m.Place
	if typ == discordgo.ChannelTypeGuildText && place.Thread == "" && (b.isCommunity(place.Chat) || b.isListening(place.Chat)) && m.Anchor != "" && m.Kind == core.KindReply {
		// Answer in a thread under the member's message so the channel
		// stays readable.
		th, err := b.threadUnder(ctx, place.Chat, m.Anchor, m.From.Name)
		if err != nil {
			return core.Receipt{}, err
		}
		place.Thread = th
		rc.Place = place
	}
	files, notes := b.files(ctx, m.Files)
	parts := contents(m)
	if strings.TrimSpace(m.Text) == "" && len(files) > 0 {
		parts = nil
	}
	parts = append(parts, notes...)
	name, avatar, voiced := b.speaker(m)
	webhook := typ != discordgo.ChannelTypeDM && voiced
	if m.MaybeSent && len(files) == 0 {
		// An earlier attempt was cut off: what it posted is not posted again.
		rc.IDs = b.landed(ctx, place, parts, name, webhook, typ == discordgo.ChannelTypeDM && voiced, m.PostedBefore)
	}
	for i, part := range parts {
		if i < len(rc.IDs) {
			continue
		}
		var f []*discordgo.File
		var comps []discordgo.MessageComponent
		if i == len(parts)-1 {
			f, comps = files, components(m.Buttons)
		}
		var id string
		var err error
		switch {
		case typ == discordgo.ChannelTypeDM && voiced:
			id, err = b.sendEmbed(ctx, place, name, avatar, part, f, comps)
		case typ != discordgo.ChannelTypeDM && voiced:
			id, err = b.sendWebhook(ctx, place, name, avatar, part, f, comps)
		default:
			pings := noPings()
			if i == 0 {
				_, pings = mention(m.Mention) // the mention is in the first part
			}
			id, err = b.sendBot(ctx, place, part, f, comps, pings)
		}
		if err != nil {
			if len(rc.IDs) > 0 {
				b.o.Logger.Warn("discord: a split message was sent in part", "sent", len(rc.IDs), "err", err)
				break
			}
			return core.Receipt{}, err
		}
		rc.IDs = append(rc.IDs, id)
	}
	if len(parts) == 0 && len(files) > 0 {
		id, err := b.sendBot(ctx, place, "", files, nil, noPings())
		if err != nil {
			return core.Receipt{}, err
		}
		rc.IDs = append(rc.IDs, id)
	}
	return rc, nil
}

// readBackPages bounds how much history landed reads (100 messages a
// page): the place a cut-off send went to keeps its other traffic (a DM's
// customer, a thread's staff), so the send may lie past the first page.
const readBackPages = 10

// landed returns the ids of the posts an earlier, cut-off attempt made of
// parts at place: cornershop's own posts (the bot's, or its webhook's in
// the speaker's name) newer than after, carrying the parts in order. It
// pages forward from after (back from the newest message when after is
// "") until the parts are found or readBackPages pages are read. None
// when the place cannot be read: the message is then posted again.
func (b *Bot) landed(ctx context.Context, place core.Place, parts []string, name string, webhook, embed bool, after string) []string {
	if len(parts) == 0 {
		return nil
	}
	// Any webhook of ours counts: the cut-off attempt may have been made
	// by another process through another of them.
	hooks := map[string]bool{}
	if webhook {
		list, err := b.ourWebhooks(ctx, place.Chat)
		if err != nil {
			b.o.Logger.Warn("discord: cannot check whether a cut-off send landed", "err", err)
			return nil
		}
		for _, h := range list {
			hooks[h.ID] = true
		}
	}
	ours := func(msg *discordgo.Message) bool {
		if webhook {
			return hooks[msg.WebhookID] && msg.Author != nil && msg.Author.Username == name
		}
		return msg.Author != nil && msg.Author.ID == b.self()
	}
	after = strings.TrimPrefix(after, webhookPrefix)
	forward := after != ""
	var seen []*discordgo.Message
	var ids []string
	for page, before := 0, ""; page < readBackPages; page++ {
		msgs, err := b.s.ChannelMessages(target(place), 100, before, after, "", discordgo.WithContext(ctx))
		if err != nil {
			b.o.Logger.Warn("discord: cannot check whether a cut-off send landed", "err", b.classify("read history", err))
			return nil
		}
		seen = append(seen, msgs...)
		slices.SortFunc(seen, func(x, y *discordgo.Message) int { return cmpSnowflake(x.ID, y.ID) })
		if ids = matchParts(seen, parts, ours, embed, webhook); len(ids) == len(parts) || len(msgs) < 100 {
			break
		}
		if forward {
			after = seen[len(seen)-1].ID
		} else {
			before = seen[0].ID
		}
	}
	if len(ids) > 0 {
		b.o.Logger.Info("discord: a cut-off send had landed; not posting it again", "parts", len(ids))
	}
	return ids
}

// matchParts returns the ids of the first of msgs (oldest first) that are
// ours and carry parts in order.
func matchParts(msgs []*discordgo.Message, parts []string, ours func(*discordgo.Message) bool, embed, webhook bool) []string {
	var ids []string
	for _, msg := range msgs {
		if len(ids) == len(parts) {
			break
		}
		text := msg.Content
		if embed && len(msg.Embeds) > 0 {
			text = msg.Embeds[0].Description
		}
		if !ours(msg) || text != parts[len(ids)] {
			continue
		}
		if webhook {
			ids = append(ids, webhookPrefix+msg.ID)
		} else {
			ids = append(ids, msg.ID)
		}
	}
	return ids
}

func target(p core.Place) string {
	if p.Thread != "" {
		return p.Thread
	}
	return p.Chat
}

// sendBot posts as the bot, with comps (buttons) under the text; pings is
// the allowed_mentions (noPings but for cornershop's own mention).
func (b *Bot) sendBot(ctx context.Context, p core.Place, content string, files []*discordgo.File, comps []discordgo.MessageComponent, pings *discordgo.MessageAllowedMentions) (string, error) {
	msg, err := b.s.ChannelMessageSendComplex(target(p), &discordgo.MessageSend{Content: content, Files: files, Components: comps, AllowedMentions: pings}, discordgo.WithContext(ctx))
	if err != nil {
		return "", b.classify("send message", err)
	}
	return msg.ID, nil
}

// sendEmbed posts in a DM as an embed authored by the speaker: webhooks
// cannot post in DMs.
func (b *Bot) sendEmbed(ctx context.Context, p core.Place, name, avatar, content string, files []*discordgo.File, comps []discordgo.MessageComponent) (string, error) {
	e := &discordgo.MessageEmbed{Description: content, Author: &discordgo.MessageEmbedAuthor{Name: name, IconURL: avatar}, Color: 0x5865F2}
	msg, err := b.s.ChannelMessageSendComplex(target(p), &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{e}, Files: files, Components: comps, AllowedMentions: noPings()}, discordgo.WithContext(ctx))
	if err != nil {
		return "", b.classify("send message", err)
	}
	return msg.ID, nil
}

// sendWebhook posts through the parent channel's webhook with the
// speaker's name and avatar.
func (b *Bot) sendWebhook(ctx context.Context, p core.Place, name, avatar, content string, files []*discordgo.File, comps []discordgo.MessageComponent) (string, error) {
	for attempt := 0; ; attempt++ {
		wh, err := b.webhook(ctx, p.Chat)
		if err != nil {
			return "", err
		}
		// The bot's own webhooks are application-owned, which may carry
		// interactive components.
		params := &discordgo.WebhookParams{Content: content, Username: name, AvatarURL: avatar, Files: files, Components: comps, AllowedMentions: noPings()}
		var msg *discordgo.Message
		if p.Thread != "" {
			msg, err = b.s.WebhookThreadExecute(wh.ID, wh.Token, true, p.Thread, params, discordgo.WithContext(ctx))
		} else {
			msg, err = b.s.WebhookExecute(wh.ID, wh.Token, true, params, discordgo.WithContext(ctx))
		}
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownWebhook && attempt == 0 {
			b.forgetWebhook(p.Chat) // deleted by someone: make one again, once
			continue
		}
		if err != nil {
			return "", b.classify("execute webhook", err)
		}
		return webhookPrefix + msg.ID, nil
	}
}

// webhookName is the name cornershop's webhooks carry, so they are found
// again after a restart instead of being created anew (Discord allows 15
// per channel).
const webhookName = "cornershop"

func (b *Bot) webhook(ctx context.Context, channelID string) (*discordgo.Webhook, error) {
	b.mu.Lock()
	wh, ok := b.webhooks[channelID]
	b.mu.Unlock()
	if ok {
		return wh, nil
	}
	v, err, _ := b.hooking.Do(channelID, func() (any, error) {
		b.mu.Lock()
		wh, ok := b.webhooks[channelID]
		b.mu.Unlock()
		if ok {
			return wh, nil
		}
		hooks, err := b.ourWebhooks(ctx, channelID)
		if err != nil {
			return nil, err
		}
		if len(hooks) > 0 {
			wh = hooks[0]
		} else if wh, err = b.s.WebhookCreate(channelID, webhookName, "", discordgo.WithContext(ctx)); err != nil {
			return nil, b.classify("create webhook", err)
		}
		b.mu.Lock()
		b.webhooks[channelID] = wh
		b.mu.Unlock()
		return wh, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*discordgo.Webhook), nil
}

// ourWebhooks lists the webhooks cornershop made in a channel (by name,
// with a token it can post with), oldest first.
func (b *Bot) ourWebhooks(ctx context.Context, channelID string) ([]*discordgo.Webhook, error) {
	hooks, err := b.s.ChannelWebhooks(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, b.classify("list webhooks", err)
	}
	var ours []*discordgo.Webhook
	for _, h := range hooks {
		if h.Name == webhookName && h.Token != "" {
			ours = append(ours, h)
		}
	}
	slices.SortFunc(ours, func(x, y *discordgo.Webhook) int { return cmpSnowflake(x.ID, y.ID) })
	return ours, nil
}

func (b *Bot) forgetWebhook(channelID string) {
	b.mu.Lock()
	delete(b.webhooks, channelID)
	b.mu.Unlock()
}

// threadUnder opens (or finds) the thread under a member's message.
func (b *Bot) threadUnder(ctx context.Context, channelID, msgID, name string) (string, error) {
	th, err := b.s.MessageThreadStartComplex(channelID, msgID, &discordgo.ThreadStart{Name: clip("Reply to "+firstNonEmpty(name, "you"), 100), AutoArchiveDuration: 1440}, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == 160004 {
		return msgID, nil // already has one; a thread from a message shares its id
	}
	if err != nil {
		return "", b.classify("start thread", err)
	}
	b.remember(th)
	return th.ID, nil
}

// files fetches attachments for upload; those too large or unreadable
// become notes.
func (b *Bot) files(ctx context.Context, in []core.File) ([]*discordgo.File, []string) {
	var out []*discordgo.File
	var notes []string
	for _, f := range in {
		name := firstNonEmpty(f.Name, "file")
		if f.Size > uploadLimit || f.Open == nil {
			notes = append(notes, escape(fmt.Sprintf("📎 %s could not be relayed (%s).", name, map[bool]string{true: "larger than Discord's 10 MB", false: "not reachable"}[f.Size > uploadLimit])))
			continue
		}
		rc, err := f.Open(ctx)
		if err != nil {
			notes = append(notes, escape("📎 "+name+" could not be fetched."))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(rc, uploadLimit+1))
		rc.Close()
		if err != nil || len(data) > uploadLimit {
			notes = append(notes, escape("📎 "+name+" could not be relayed."))
			continue
		}
		out = append(out, &discordgo.File{Name: name, ContentType: f.ContentType, Reader: bytes.NewReader(data)})
	}
	return out, notes
}

// Edit implements core.Editor.
func (b *Bot) Edit(ctx context.Context, place core.Place, ids []string, m core.Outgoing) error {
	parts := contents(m)
	_, typ, _, err := b.channel(ctx, place.Chat)
	if err != nil {
		return err
	}
	for i, id := range ids {
		text := "…"
		if i < len(parts) {
			text = parts[i]
		}
		if i == len(ids)-1 && len(parts) > len(ids) {
			text = clip(strings.Join(parts[i:], "\n"), maxContent)
		}
		if wid, ok := strings.CutPrefix(id, webhookPrefix); ok {
			wh, err := b.webhook(ctx, place.Chat)
			if err != nil {
				return err
			}
			opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
			if place.Thread != "" {
				opts = append(opts, withThread(place.Thread))
			}
			if _, err := b.s.WebhookMessageEdit(wh.ID, wh.Token, wid, &discordgo.WebhookEdit{Content: &text, AllowedMentions: noPings()}, opts...); err != nil {
				return b.classify("edit webhook message", err)
			}
			continue
		}
		edit := &discordgo.MessageEdit{ID: id, Channel: target(place), AllowedMentions: noPings()}
		if typ == discordgo.ChannelTypeDM && m.Kind == core.KindReply {
			name, avatar, _ := b.speaker(m)
			edit.Embeds = &[]*discordgo.MessageEmbed{{Description: text, Author: &discordgo.MessageEmbedAuthor{Name: name, IconURL: avatar}, Color: 0x5865F2}}
		} else {
			edit.Content = &text
		}
		if i == len(ids)-1 && (len(m.Buttons) > 0 || m.Kind == core.KindSystem) {
			// An edit keeps the old components unless given new ones: a
			// card's render (a signal's, with or without its buttons)
			// replaces them.
			comps := components(m.Buttons)
			if comps == nil {
				comps = []discordgo.MessageComponent{}
			}
			edit.Components = &comps
		}
		if _, err := b.s.ChannelMessageEditComplex(edit, discordgo.WithContext(ctx)); err != nil {
			return b.classify("edit message", err)
		}
	}
	return nil
}

// withThread adds ?thread_id= to webhook message edits and deletes, which
// discordgo v0.29 does not offer but Discord requires inside threads.
func withThread(id string) discordgo.RequestOption {
	return func(cfg *discordgo.RequestConfig) {
		q := cfg.Request.URL.Query()
		q.Set("thread_id", id)
		cfg.Request.URL.RawQuery = q.Encode()
	}
}

// Delete implements core.Deleter.
func (b *Bot) Delete(ctx context.Context, place core.Place, ids []string) error {
	for _, id := range ids {
		var err error
		if wid, ok := strings.CutPrefix(id, webhookPrefix); ok {
			wh, werr := b.webhook(ctx, place.Chat)
			if werr != nil {
				return werr
			}
			opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
			if place.Thread != "" {
				opts = append(opts, withThread(place.Thread))
			}
			err = b.s.WebhookMessageDelete(wh.ID, wh.Token, wid, opts...)
		} else {
			err = b.s.ChannelMessageDelete(target(place), id, discordgo.WithContext(ctx))
		}
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownMessage {
			continue
		}
		if err != nil {
			return b.classify("delete message", err)
		}
	}
	return nil
}

// React implements core.Reactor.
func (b *Bot) React(ctx context.Context, place core.Place, id, emoji string) error {
	if err := b.s.MessageReactionAdd(target(place), strings.TrimPrefix(id, webhookPrefix), emoji, discordgo.WithContext(ctx)); err != nil {
		return b.classify("react", err)
	}
	return nil
}

// Download implements core.Downloader: attachment URLs are public CDN
// links, fetched through the configured client.
func (b *Bot) Download(ctx context.Context, a core.Attachment) (io.ReadCloser, error) {
	return fetch.Get(ctx, b.o.HTTPClient, "discord", a.Ref, nil, "")
}

// Member implements core.StaffLookup: members of the desk's guild, with
// their server nickname and avatar.
func (b *Bot) Member(ctx context.Context, desk core.Place, userID string) (core.Voice, bool, error) {
	_, _, guild, err := b.channel(ctx, desk.Chat)
	if err != nil {
		return core.Voice{}, false, err
	}
	m, err := b.s.GuildMember(guild, userID, discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == discordgo.ErrCodeUnknownMember {
		return core.Voice{}, false, nil
	}
	if err != nil {
		return core.Voice{}, false, b.classify("get member", err)
	}
	if m.User == nil || m.User.Bot {
		return core.Voice{}, false, nil
	}
	return core.Voice{Name: firstNonEmpty(m.Nick, m.User.GlobalName, m.User.Username), AvatarURL: m.AvatarURL("128")}, true, nil
}
