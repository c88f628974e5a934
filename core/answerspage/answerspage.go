// Package answerspage serves the public self-help answers: an HTML page
// that works without JavaScript (a list, a search form submitted with GET
// ?q=, one page per answer) and a JSON variant, /answers.json.
//
// It follows the roadmap page's rules (core/roadmap): server-rendered with
// html/template, no script, a Content-Security-Policy that forbids any
// outside resource, reads through a small port on the store's read pool.
// Search is the store's full-text search (core.AnswerQuery); nothing is
// scored here.
package answerspage

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"cornershop/core"
)

// Source is where the page reads answers. Each method is called at most
// once per request, concurrently with other requests; they return
// core.ErrNotFound for an unknown slug.
type Source interface {
	// Answers lists answers by title, at most limit.
	Answers(ctx context.Context, limit int) ([]core.Answer, error)
	// SearchAnswers searches answers with the database's own engine.
	SearchAnswers(ctx context.Context, q core.AnswerQuery) ([]core.AnswerHit, error)
	// AnswerBySlug returns one answer.
	AnswerBySlug(ctx context.Context, slug string) (core.Answer, error)
}

// Options configure Handler.
type Options struct {
	// Team is the company's name, shown in the page title ["Support"].
	Team string
	// Logger receives failures to read answers [discard].
	Logger *slog.Logger
}

// CacheControl is the Cache-Control of a successful answer.
const CacheControl = "public, max-age=30"

// csp forbids scripts and outside resources; the search form may submit
// to this site only.
const csp = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'"

// Limits of what one request reads.
const (
	listLimit   = 200
	searchLimit = 20
	maxQuery    = 200
)

// Handler returns the handler for GET (and HEAD) of /answers (all, or
// ?q= a search), /answers/<slug> (one answer) and /answers.json (the
// list or search as JSON, readable from any origin). Mount it on those
// paths. An unknown slug is 404; a failing Source is 500, never cached,
// logged and not shown.
func Handler(src Source, o Options) http.Handler {
	if o.Team == "" {
		o.Team = "Support"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &handler{src: src, o: o}
}

type handler struct {
	src Source
	o   Options
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case path == "/answers" || path == "/answers.json":
		h.list(w, r, path == "/answers.json")
	case strings.HasPrefix(path, "/answers/"):
		h.one(w, r, strings.TrimPrefix(path, "/answers/"))
	default:
		http.NotFound(w, r)
	}
}

// Page is the list or search as the JSON variant carries it; its field
// names are stable.
type Page struct {
	Team  string `json:"team"`
	Query string `json:"query"` // "" for the whole list
	// Answers are by title, or best first for a search; never null.
	Answers []Answer `json:"answers"`
}

// Answer is what the public sees of an answer.
type Answer struct {
	Slug  string   `json:"slug"`
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags"` // never null
	// Credit names the community member whose reply it was; "" for none.
	Credit    string    `json:"credit"`
	URL       string    `json:"url"` // the answer's page, relative to the site
	UpdatedAt time.Time `json:"updated_at"`
}

func toAnswer(a core.Answer) Answer {
	tags := []string{}
	for _, t := range a.Tags {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return Answer{Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: tags, Credit: a.CreditName,
		URL: "/answers/" + a.Slug, UpdatedAt: a.UpdatedAt.UTC()}
}

func (h *handler) list(w http.ResponseWriter, r *http.Request, asJSON bool) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if rs := []rune(q); len(rs) > maxQuery {
		q = string(rs[:maxQuery])
	}
	page := Page{Team: h.o.Team, Query: q, Answers: []Answer{}}
	if q != "" {
		hs, err := h.src.SearchAnswers(r.Context(), core.AnswerQuery{Text: q, Limit: searchLimit})
		if err != nil {
			h.fail(w, r, "search answers", err)
			return
		}
		for _, hit := range hs {
			page.Answers = append(page.Answers, toAnswer(hit.Answer))
		}
	} else {
		as, err := h.src.Answers(r.Context(), listLimit)
		if err != nil {
			h.fail(w, r, "list answers", err)
			return
		}
		for _, a := range as {
			page.Answers = append(page.Answers, toAnswer(a))
		}
	}
	if asJSON {
		var body bytes.Buffer
		enc := json.NewEncoder(&body)
		enc.SetIndent("", "  ")
		_ = enc.Encode(page) // plain values always encode
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		h.write(w, body.Bytes())
		return
	}
	h.render(w, r, "list", page)
}

func (h *handler) one(w http.ResponseWriter, r *http.Request, slug string) {
	a, err := h.src.AnswerBySlug(r.Context(), slug)
	if errors.Is(err, core.ErrNotFound) {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "There is no such answer.", http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, "read answer", err)
		return
	}
	h.render(w, r, "one", struct {
		Team   string
		Answer Answer
	}{h.o.Team, toAnswer(a)})
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var body bytes.Buffer
	if err := templates.ExecuteTemplate(&body, name, data); err != nil { // a bug: plain values
		h.fail(w, r, "render", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	h.write(w, body.Bytes())
}

func (h *handler) write(w http.ResponseWriter, body []byte) {
	w.Header().Set("Cache-Control", CacheControl)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", csp)
	w.Write(body)
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	if r.Context().Err() == nil { // not merely a visitor who left
		h.o.Logger.ErrorContext(r.Context(), "answers page: "+what, "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Answers are unavailable right now; please try again in a minute.", http.StatusInternalServerError)
}

// Segment is a run of an answer's text: plain, or a link (URL set).
type Segment struct {
	Text string
	URL  string
}

// linkPattern finds web addresses in an answer's text.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]]`)

// paragraphs splits text at blank lines and each paragraph into plain and
// link segments; html/template escapes both and checks each URL.
func paragraphs(text string) [][]Segment {
	var out [][]Segment
	for _, p := range regexp.MustCompile(`\n\s*\n`).Split(strings.ReplaceAll(text, "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		var segs []Segment
		at := 0
		for _, m := range linkPattern.FindAllStringIndex(p, -1) {
			if m[0] > at {
				segs = append(segs, Segment{Text: p[at:m[0]]})
			}
			segs = append(segs, Segment{Text: p[m[0]:m[1]], URL: p[m[0]:m[1]]})
			at = m[1]
		}
		if at < len(p) {
			segs = append(segs, Segment{Text: p[at:]})
		}
		out = append(out, segs)
	}
	return out
}

// excerptRunes is how much of an answer's body the list shows.
const excerptRunes = 160

// excerpt is the start of body on one line, cut at a word and ended with
// "…" when longer than excerptRunes.
func excerpt(body string) string {
	s := strings.Join(strings.Fields(body), " ")
	r := []rune(s)
	if len(r) <= excerptRunes {
		return s
	}
	cut := string(r[:excerptRunes])
	if i := strings.LastIndex(cut, " "); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

//go:embed page.html
var pageHTML string

var templates = template.Must(template.New("page").Funcs(template.FuncMap{
	"paragraphs": paragraphs,
	"excerpt":    excerpt,
	"date":       func(t time.Time) string { return t.Format("2 Jan 2006") },
	"iso":        func(t time.Time) string { return t.Format(time.RFC3339) },
}).Parse(pageHTML))
