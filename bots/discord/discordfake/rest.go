package discordfake

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// upload is one file of a multipart request.
type upload struct {
	field, name, contentType string
	data                     []byte
}

// request is a parsed REST call.
type request struct {
	method string
	parts  []string
	q      url.Values
	in     map[string]any // JSON object body or payload_json
	list   []any          // JSON array body
	files  []upload
}

// parseBody reads a JSON body, or the payload_json and files[n] of a
// multipart one.
func parseBody(r *http.Request) (req request, err error) {
	req.in = map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return req, err
		}
		if pj := r.FormValue("payload_json"); pj != "" {
			if err := json.Unmarshal([]byte(pj), &req.in); err != nil {
				return req, err
			}
		}
		for field, fhs := range r.MultipartForm.File {
			for _, fh := range fhs {
				req.files = append(req.files, upload{field: field, name: fh.Filename, contentType: fh.Header.Get("Content-Type"), data: readFile(fh)})
			}
		}
		slices.SortFunc(req.files, func(a, b upload) int { return fileIndex(a.field) - fileIndex(b.field) })
		return req, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return req, err
	}
	trimmed := strings.TrimSpace(string(b))
	switch {
	case strings.HasPrefix(trimmed, "["):
		err = json.Unmarshal(b, &req.list)
	case trimmed != "":
		err = json.Unmarshal(b, &req.in)
	}
	return req, err
}

func fileIndex(field string) int {
	i := strings.IndexByte(field, '[')
	if i < 0 {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(field[i+1:], "]"))
	return n
}

func readFile(fh *multipart.FileHeader) []byte {
	f, err := fh.Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// authFree reports calls Discord authenticates by the token in the path.
func authFree(parts []string) bool {
	switch {
	case len(parts) >= 3 && parts[0] == "webhooks":
		return true
	case len(parts) >= 1 && parts[0] == "interactions":
		return true
	case len(parts) == 1 && parts[0] == "gateway":
		return true
	}
	return false
}

// rest dispatches one REST call; it returns a status and a body or
// *apiError.
func (s *Server) rest(r *http.Request, path string) (int, any) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if !authFree(parts) && r.Header.Get("Authorization") != "Bot "+s.o.Token {
		return 0, errUnauthorized
	}
	req, err := parseBody(r)
	if err != nil {
		return 0, errBadJSON
	}
	req.method, req.parts, req.q = r.Method, parts, r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	m := r.Method
	switch {
	case m == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		return 200, map[string]any{"url": s.GatewayURL(), "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 86400000, "max_concurrency": 1}}
	case m == "GET" && path == "/users/@me":
		return 200, s.bot
	case m == "POST" && path == "/users/@me/channels":
		return s.createDM(str(req.in, "recipient_id"))
	case m == "GET" && len(parts) == 2 && parts[0] == "users":
		if u, ok := s.users[parts[1]]; ok {
			return 200, u
		}
		return 0, notFound(10013, "User")
	case len(parts) >= 2 && parts[0] == "channels":
		return s.channelRoute(req)
	case len(parts) >= 2 && parts[0] == "webhooks":
		return s.webhookRoute(req)
	case len(parts) >= 2 && parts[0] == "guilds":
		return s.guildRoute(req)
	case len(parts) >= 3 && parts[0] == "applications":
		return s.commandRoute(req)
	case len(parts) == 4 && parts[0] == "interactions" && parts[3] == "callback" && m == "POST":
		return s.interactionCallback(parts[1], parts[2], req)
	}
	return 0, errNotFound
}

func (s *Server) createDM(recipient string) (int, any) {
	u, ok := s.users[recipient]
	if !ok {
		return 0, formError("recipient_id", "NUMBER_TYPE_COERCE", "Value \""+recipient+"\" is not snowflake.")
	}
	for _, c := range s.channels {
		if c.Type == TypeDM && c.Recipient == u.ID {
			return 200, s.channelJSON(c)
		}
	}
	c := &Channel{ID: s.newID(), Type: TypeDM, Recipient: u.ID}
	s.channels[c.ID] = c
	return 200, s.channelJSON(c)
}

func (s *Server) channelJSON(c *Channel) map[string]any {
	out := map[string]any{"id": c.ID, "type": c.Type, "flags": 0}
	if c.Type != TypeDM {
		out["name"] = c.Name
	}
	if c.GuildID != "" {
		out["guild_id"] = c.GuildID
		out["permission_overwrites"] = []any{}
		out["nsfw"] = false
	}
	if c.ParentID != "" {
		out["parent_id"] = c.ParentID
	}
	if msgs := s.messages[c.ID]; len(msgs) > 0 {
		out["last_message_id"] = msgs[len(msgs)-1].ID
	}
	switch c.Type {
	case TypeDM:
		out["recipients"] = []User{s.users[c.Recipient]}
	case TypeForum:
		tags := []map[string]any{}
		for _, t := range c.Tags {
			tags = append(tags, map[string]any{"id": t.ID, "name": t.Name, "moderated": false, "emoji_id": nil, "emoji_name": nil})
		}
		out["available_tags"] = tags
		out["default_reaction_emoji"] = nil
		out["default_sort_order"] = nil
		out["default_forum_layout"] = 0
	case TypePublicThread, TypePrivateThread:
		applied := c.AppliedTags
		if applied == nil {
			applied = []string{}
		}
		out["applied_tags"] = applied
		out["owner_id"] = c.OwnerID
		n := 0
		for _, m := range s.messages[c.ID] {
			if !m.Deleted {
				n++
			}
		}
		out["message_count"], out["total_message_sent"], out["member_count"] = n, n, 1
		out["rate_limit_per_user"] = 0
		out["thread_metadata"] = map[string]any{"archived": c.Archived, "locked": c.Locked, "auto_archive_duration": 10080,
			"archive_timestamp": s.o.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")}
	}
	return out
}

func (s *Server) guildRoute(req request) (int, any) {
	g, ok := s.guilds[req.parts[1]]
	if !ok {
		return 0, notFound(10004, "Guild")
	}
	rest := req.parts[2:]
	switch {
	case len(rest) == 0 && req.method == "GET":
		return 200, map[string]any{"id": g.ID, "name": g.Name, "roles": g.Roles, "features": []string{"COMMUNITY"}, "owner_id": s.bot.ID}
	case len(rest) == 1 && rest[0] == "channels" && req.method == "GET":
		out := []map[string]any{}
		for _, c := range s.sortedChannels() {
			if c.GuildID == g.ID && !c.IsThread() {
				out = append(out, s.channelJSON(c))
			}
		}
		return 200, out
	case len(rest) == 1 && rest[0] == "roles" && req.method == "GET":
		return 200, g.Roles
	case len(rest) == 1 && rest[0] == "members" && req.method == "GET":
		ids := make([]string, 0, len(g.Members))
		for id := range g.Members {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, cmpID)
		limit := 1
		if n, err := strconv.Atoi(req.q.Get("limit")); err == nil && n > 0 {
			limit = min(n, 1000)
		}
		out := []map[string]any{}
		for _, id := range ids {
			if after := req.q.Get("after"); after != "" && cmpID(id, after) <= 0 {
				continue
			}
			if len(out) < limit {
				out = append(out, s.memberJSON(g, id))
			}
		}
		return 200, out
	case len(rest) == 2 && rest[0] == "members" && req.method == "GET":
		if _, member := g.Members[rest[1]]; !member {
			return 0, notFound(10007, "Member")
		}
		return 200, s.memberJSON(g, rest[1])
	}
	return 0, errMethod
}

func (s *Server) memberJSON(g *Guild, userID string) map[string]any {
	nick := any(nil)
	if n := g.Members[userID]; n != "" {
		nick = n
	}
	return map[string]any{"user": s.users[userID], "nick": nick, "roles": []string{}, "joined_at": "2024-01-01T00:00:00.000000+00:00",
		"deaf": false, "mute": false, "flags": 0}
}

func (s *Server) sortedChannels() []*Channel {
	out := make([]*Channel, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Channel) int { return cmpID(a.ID, b.ID) })
	return out
}

// commandRoute serves applications/{app}/commands and
// applications/{app}/guilds/{guild}/commands.
func (s *Server) commandRoute(req request) (int, any) {
	p := req.parts
	if p[1] != s.o.ApplicationID {
		return 0, &apiError{status: http.StatusForbidden, code: 20012, msg: "You are not authorized to perform this action on this application"}
	}
	guild := ""
	switch {
	case len(p) == 3 && p[2] == "commands":
	case len(p) == 5 && p[2] == "guilds" && p[4] == "commands":
		guild = p[3]
		if _, ok := s.guilds[guild]; !ok {
			return 0, notFound(10004, "Guild")
		}
	default:
		return 0, errNotFound
	}
	fill := func(c map[string]any) (map[string]any, *apiError) {
		name := str(c, "name")
		if name == "" || len(name) > 32 || strings.ToLower(name) != name {
			return nil, formError("name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
		}
		c["id"], c["application_id"], c["version"] = s.newID(), s.o.ApplicationID, s.newID()
		if _, ok := c["type"]; !ok {
			c["type"] = 1
		}
		if guild != "" {
			c["guild_id"] = guild
		}
		return c, nil
	}
	switch req.method {
	case "GET":
		out := s.commands[guild]
		if out == nil {
			out = []map[string]any{}
		}
		return 200, out
	case "PUT":
		cmds := []map[string]any{}
		for _, raw := range req.list {
			c, _ := raw.(map[string]any)
			c, e := fill(c)
			if e != nil {
				return 0, e
			}
			cmds = append(cmds, c)
		}
		s.commands[guild] = cmds
		return 200, cmds
	case "POST":
		c, e := fill(req.in)
		if e != nil {
			return 0, e
		}
		s.commands[guild] = append(slices.DeleteFunc(s.commands[guild], func(x map[string]any) bool { return x["name"] == c["name"] }), c)
		return 201, c
	}
	return 0, errMethod
}
