// Package roadmap serves the public, read-only roadmap of customer ideas:
// an HTML page that works without JavaScript and a JSON variant of the same
// data, ideas grouped by status with their votes and the team's latest
// public word on them.
//
// It owns what the public may see of ideas: hidden, queued and merged ideas
// never appear, whatever its source returns. It reads ideas through the
// small Ideas port it declares; core/store implements it.
package roadmap

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cornershop/core"
)

// Ideas is where the roadmap reads ideas from.
type Ideas interface {
	// Ideas lists ideas by f. It is called once per request, concurrently
	// with other requests, and must not block on writers for long.
	Ideas(ctx context.Context, f core.IdeaFilter) ([]core.Idea, error)
}

// sections are the statuses the roadmap shows, in page order: what is
// coming first, what is done and declined last. Duplicates never appear.
var sections = []core.IdeaStatus{core.IdeaPlanned, core.IdeaInProgress, core.IdeaUnderReview, core.IdeaNew, core.IdeaDone, core.IdeaDeclined}

// Options configure Handler.
type Options struct {
	// Team is the company's name, shown in the page title ["Support"].
	Team string
	// Logger receives failures to read ideas [discard].
	Logger *slog.Logger
}

// CacheControl is the Cache-Control of a successful answer: the roadmap
// may be 30 seconds stale, in browsers and shared caches alike.
const CacheControl = "public, max-age=30"

// excerptRunes is how much of an idea's body the HTML page shows.
const excerptRunes = 200

// Handler returns the roadmap's handler for GET (and HEAD). A path ending
// in ".json", or a request whose Accept header asks for application/json
// and not for HTML, gets JSON (see Page), readable from any origin;
// anything else gets the HTML page.
// When src fails the answer is 500, never cached; the error is logged, not
// shown.
func Handler(src Ideas, o Options) http.Handler {
	if o.Team == "" {
		o.Team = "Support"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &handler{src: src, o: o}
}

type handler struct {
	src Ideas
	o   Options
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	ideas, err := h.src.Ideas(r.Context(), core.IdeaFilter{Statuses: sections, Order: core.IdeasTop})
	if err != nil {
		if r.Context().Err() == nil { // not merely a visitor who left
			h.o.Logger.ErrorContext(r.Context(), "roadmap: list ideas", "err", err)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "The roadmap is unavailable right now; please try again in a minute.", http.StatusInternalServerError)
		return
	}
	page := build(h.o.Team, ideas)
	var body bytes.Buffer
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// Public data: any site may fetch it from a browser.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		enc := json.NewEncoder(&body)
		enc.SetIndent("", "  ")
		err = enc.Encode(page)
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err = pageTemplate.Execute(&body, page)
	}
	if err != nil { // a bug: the page is built from plain values
		h.o.Logger.ErrorContext(r.Context(), "roadmap: render", "err", err)
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "The roadmap could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", CacheControl)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	// The page needs no script and no outside resource: forbid both, so a
	// markup mistake can never run customer text. It may be framed: a
	// company can embed its roadmap, which has nothing to click.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	w.Write(body.Bytes())
}

// wantsJSON reports whether r asks for the JSON variant: by path, or by an
// Accept header naming application/json (with q > 0) and no HTML type.
func wantsJSON(r *http.Request) bool {
	if strings.HasSuffix(r.URL.Path, ".json") {
		return true
	}
	want := false
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok {
			if w, err := strconv.ParseFloat(q, 64); err != nil || w <= 0 {
				continue // refused
			}
		}
		switch mt {
		case "application/json":
			want = true
		case "text/html", "application/xhtml+xml":
			return false
		}
	}
	return want
}

// Page is the roadmap as the JSON variant carries it. Its field names are
// stable: tools may rely on them.
type Page struct {
	// Team is the company's name.
	Team string `json:"team"`
	// Groups has one entry per shown status, in page order (planned, in
	// progress, under review, new, done, declined), empty ones included.
	Groups []Group `json:"groups"`
}

// Group is the ideas of one status, pinned first, then most voted, then
// oldest.
type Group struct {
	Status core.IdeaStatus `json:"status"`
	Label  string          `json:"label"`
	Ideas  []Idea          `json:"ideas"`
}

// Idea is what the public sees of an idea.
type Idea struct {
	ID          int64           `json:"id"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	Status      core.IdeaStatus `json:"status"`
	StatusLabel string          `json:"status_label"`
	Votes       int             `json:"votes"`
	Comments    int             `json:"comments"`
	Tags        []string        `json:"tags"` // never null
	Pinned      bool            `json:"pinned"`
	// Message is the team's latest public word on the idea; "" when none.
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// build groups ideas by status, keeping only what the public may see.
func build(team string, ideas []core.Idea) Page {
	p := Page{Team: team, Groups: make([]Group, len(sections))}
	at := map[core.IdeaStatus]int{}
	for i, s := range sections {
		p.Groups[i] = Group{Status: s, Label: s.Label(), Ideas: []Idea{}}
		at[s] = i
	}
	for _, i := range ideas {
		g, ok := at[i.Status]
		if !ok || !i.Visible() || i.MergedInto != 0 {
			continue
		}
		p.Groups[g].Ideas = append(p.Groups[g].Ideas, toIdea(i))
	}
	for _, g := range p.Groups {
		slices.SortStableFunc(g.Ideas, func(a, b Idea) int {
			if a.Pinned != b.Pinned {
				if a.Pinned {
					return -1
				}
				return 1
			}
			return cmp.Or(cmp.Compare(b.Votes, a.Votes), cmp.Compare(a.ID, b.ID))
		})
	}
	return p
}

func toIdea(i core.Idea) Idea {
	tags := []string{}
	for _, t := range i.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return Idea{
		ID: int64(i.ID), Title: i.Title, Body: i.Body, Status: i.Status, StatusLabel: i.Status.Label(),
		Votes: i.Votes, Comments: i.Comments, Tags: tags, Pinned: i.Pinned, Message: i.Message,
		CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC(),
	}
}

// votes says a vote count the way people read it: "1 vote", "3 votes".
func votes(n int) string {
	if n == 1 {
		return "1 vote"
	}
	return strconv.Itoa(n) + " votes"
}

// excerpt is the start of body on one line: whitespace runs become one
// space, and a body longer than max runes is cut at a word boundary (when
// one is in its second half) and ends with "…".
func excerpt(body string, max int) string {
	s := strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	if i := strings.LastIndexFunc(string(r), unicode.IsSpace); i >= len(string(r))/2 {
		return strings.TrimRightFunc(string(r)[:i], unicode.IsPunct) + "…"
	}
	return string(r) + "…"
}

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"votes":   votes,
	"excerpt": func(s string) string { return excerpt(s, excerptRunes) },
	"emoji":   func(s core.IdeaStatus) string { return s.Emoji() },
	"date":    func(t time.Time) string { return t.Format("2 Jan 2006") },
	"iso":     func(t time.Time) string { return t.Format(time.RFC3339) },
	"nonempty": func(gs []Group) []Group {
		return slices.DeleteFunc(slices.Clone(gs), func(g Group) bool { return len(g.Ideas) == 0 })
	},
}).Parse(pageHTML))
