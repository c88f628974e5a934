package telegramfake

import (
	"encoding/json"
	"slices"
	"strconv"
)

// Forum topic icon colours the Bot API accepts.
const defaultIconColor = 7322096

func validIconColor(c int) bool {
	switch c {
	case 7322096, 16766590, 13338331, 9367192, 16749490, 16478047:
		return true
	}
	return false
}

// forumTopic serves createForumTopic, editForumTopic, closeForumTopic,
// reopenForumTopic and deleteForumTopic (method in lower case).
func (s *Server) forumTopic(method string, p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	if !c.IsForum {
		return nil, badRequest("the chat is not a forum")
	}
	if method == "createforumtopic" {
		if !c.botAdmin(s.bot.ID) {
			return nil, badRequest("not enough rights to create a topic")
		}
		name := p["name"]
		if n := utf16Len(name); n < 1 || n > 128 {
			return nil, badRequest("TOPIC_NAME_INVALID")
		}
		color := defaultIconColor
		if raw := p["icon_color"]; raw != "" {
			color, _ = strconv.Atoi(raw)
			if !validIconColor(color) {
				return nil, badRequest("TOPIC_COLOR_INVALID")
			}
		}
		c.nextMsg++ // the forum_topic_created service message; its id is the thread id
		t := &Topic{ThreadID: c.nextMsg, Name: name, IconColor: color}
		c.topics[t.ThreadID] = t
		s.act(ActTopicCreate, "createForumTopic", c.ID, t.ThreadID, t.ThreadID, name)
		return t, nil
	}
	if !c.botAdmin(s.bot.ID) {
		return nil, badRequest("not enough rights to manage topics")
	}
	id, _ := strconv.Atoi(p["message_thread_id"])
	t := c.topics[id]
	if t == nil || t.Deleted {
		return nil, badRequest("message thread not found")
	}
	switch method {
	case "editforumtopic":
		name, has := p["name"]
		if has && name != "" {
			if utf16Len(name) > 128 {
				return nil, badRequest("TOPIC_NAME_INVALID")
			}
			if name == t.Name {
				return nil, badRequest("TOPIC_NOT_MODIFIED")
			}
			t.Name = name
		} else if _, icon := p["icon_custom_emoji_id"]; !icon {
			return nil, badRequest("TOPIC_NOT_MODIFIED")
		}
		s.act(ActTopicEdit, "editForumTopic", c.ID, t.ThreadID, t.ThreadID, t.Name)
	case "closeforumtopic":
		if t.Closed {
			return nil, badRequest("TOPIC_NOT_MODIFIED")
		}
		t.Closed = true
		s.act(ActTopicClose, "closeForumTopic", c.ID, t.ThreadID, t.ThreadID, t.Name)
	case "reopenforumtopic":
		if !t.Closed {
			return nil, badRequest("TOPIC_NOT_MODIFIED")
		}
		t.Closed = false
		s.act(ActTopicReopen, "reopenForumTopic", c.ID, t.ThreadID, t.ThreadID, t.Name)
	case "deleteforumtopic":
		t.Deleted = true
		for _, m := range c.messages {
			if m.ThreadID == t.ThreadID {
				m.Deleted = true
			}
		}
		s.act(ActTopicDelete, "deleteForumTopic", c.ID, t.ThreadID, t.ThreadID, t.Name)
	}
	return true, nil
}

// callbackQuery is a button press waiting for answerCallbackQuery.
type callbackQuery struct {
	chat     int64
	thread   int
	msg      int
	answered bool
	text     string
}

func (s *Server) answerCallback(p map[string]string) (any, *apiError) {
	q := s.callbacks[p["callback_query_id"]]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if utf16Len(p["text"]) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	q.answered, q.text = true, p["text"]
	s.act(ActAnswerCallback, "answerCallbackQuery", q.chat, q.thread, q.msg, q.text)
	return true, nil
}

// reactionEmoji are the emoji ReactionTypeEmoji accepts (Bot API docs).
func reactionEmoji(e string) bool {
	return slices.Contains([]string{"👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩", "🤮",
		"💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯", "🤣", "⚡", "🍌", "🏆", "💔", "🤨",
		"😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭", "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗",
		"🫡", "🎅", "🎄", "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾", "🤷‍♂", "🤷",
		"🤷‍♀", "😡"}, e)
}

type reactionType struct {
	Type          string `json:"type"`
	Emoji         string `json:"emoji,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

func (s *Server) setReaction(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := c.msg(id)
	if m == nil || m.Deleted {
		return nil, badRequest("message to react not found")
	}
	var rs []reactionType
	if raw := p["reaction"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &rs); err != nil {
			return nil, badRequest("can't parse reaction types JSON object")
		}
	}
	if len(rs) > 1 {
		return nil, badRequest("REACTIONS_TOO_MANY")
	}
	var got []string
	for _, r := range rs {
		if r.Type != "emoji" || !reactionEmoji(r.Emoji) {
			return nil, badRequest("REACTION_INVALID")
		}
		got = append(got, r.Emoji)
	}
	m.Reactions = got
	s.act(ActReact, "setMessageReaction", c.ID, m.ThreadID, m.ID, firstOr(got, ""))
	return true, nil
}

func firstOr(s []string, def string) string {
	if len(s) == 0 {
		return def
	}
	return s[0]
}

func (s *Server) getChat(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	b, _ := json.Marshal(c.Chat)
	var full map[string]any
	_ = json.Unmarshal(b, &full)
	full["accent_color_id"], full["max_reaction_count"] = 0, 11
	return full, nil
}

// memberJSON renders a ChatMember.
func (s *Server) memberJSON(c *chat, u User) map[string]any {
	status, ok := c.members[u.ID]
	if !ok {
		status = StatusLeft
	}
	out := map[string]any{"status": status, "user": u}
	switch status {
	case StatusCreator:
		out["is_anonymous"] = false
	case StatusAdministrator:
		for _, right := range []string{"can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
			"can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics", "can_post_stories",
			"can_edit_stories", "can_delete_stories"} {
			out[right] = true
		}
		out["can_be_edited"], out["is_anonymous"], out["can_promote_members"] = false, false, false
	}
	return out
}

func (s *Server) getChatMember(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	u, ok := s.users[atoi64(p["user_id"])]
	if !ok {
		return nil, badRequest("user not found")
	}
	return s.memberJSON(c, u), nil
}

func (s *Server) getChatAdministrators(p map[string]string) (any, *apiError) {
	c, e := s.chatFor(p)
	if e != nil {
		return nil, e
	}
	if c.Type == Private {
		return nil, badRequest("there are no administrators in the private chat")
	}
	var ids []int64
	for id, st := range c.members {
		if st == StatusCreator || st == StatusAdministrator {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, s.memberJSON(c, s.users[id]))
	}
	return out, nil
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

func (s *Server) setMyCommands(p map[string]string) (any, *apiError) {
	var cmds []BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !validCommandName(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n < 1 || n > 256 {
			return nil, badRequest("command description must be non-empty")
		}
	}
	s.commands, _ = json.Marshal(cmds)
	return true, nil
}

func validCommandName(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= 'a' && c[i] <= 'z' || c[i] >= '0' && c[i] <= '9' || c[i] == '_') {
			return false
		}
	}
	return true
}

// Commands returns the bot's commands as last set with setMyCommands.
func (s *Server) Commands() []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []BotCommand
	_ = json.Unmarshal(s.commands, &out)
	return out
}
