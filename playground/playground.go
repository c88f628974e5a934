// Package playground serves one web page on which a visitor plays the
// customers and the staff of the three emulated platforms side by side:
// Telegram, Slack and Discord, each as a customer's view and a desk. The
// page is plain HTML, CSS and JavaScript embedded in the binary; it is a
// client of each emulator's user-side HTTP API (see
// bots/internal/emu.UserAPI), which this server proxies under
// /emu/{platform}/, server-sent events included.
package playground

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// Scene is who and where the visitor can play.
type Scene struct {
	Team      string     `json:"team"`
	Platforms []Platform `json:"platforms"`
	Tour      []Step     `json:"tour"`
}

// Platform is one emulated platform and its two views.
type Platform struct {
	ID   string `json:"id"` // telegram, slack, discord: the path under /emu/
	Name string `json:"name"`
	// API is the emulator's base URL; its user-side API is under
	// API+"/emulator/". It is not shown to the page.
	API string `json:"-"`
	// Mentions maps what a visitor types (@cornershop) to the
	// platform's mention syntax (<@ID> on Discord).
	Mentions map[string]string `json:"mentions,omitempty"`
	Panels   []Panel           `json:"panels"`
}

// Panel is one app window: the customers' side or a desk.
type Panel struct {
	Side     string    `json:"side"` // customer or desk
	Title    string    `json:"title"`
	Chats    []Chat    `json:"chats"`
	Personas []Persona `json:"personas"`
}

// Chat is a chat, group or channel shown in a panel.
type Chat struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Persona is the id of the persona whose private chat with the bot
	// this is: the page opens it when the visitor becomes them.
	Persona string `json:"persona,omitempty"`
}

// Persona is someone the visitor can be, by their emulator user id.
type Persona struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Step is one suggestion of the guided tour: be Persona on Platform, in
// Chat (in its newest thread when Thread is "latest"), and write Say (or,
// with Say empty, do what Hint says).
type Step struct {
	Hint     string `json:"hint"`
	Platform string `json:"platform"`
	Persona  string `json:"persona"`
	Chat     string `json:"chat"`
	Thread   string `json:"thread,omitempty"`
	Say      string `json:"say,omitempty"`
}

//go:embed static
var static embed.FS

// Handler serves the page (/), its assets (/static/), the scene
// (/scene.json) and each platform's user-side API (/emu/{platform}/...).
func Handler(sc Scene) (http.Handler, error) {
	scene, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("playground: scene: %w", err)
	}
	mux := http.NewServeMux()
	assets, _ := fs.Sub(static, "static")
	page, err := fs.ReadFile(assets, "index.html")
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		_, _ = w.Write(page)
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /scene.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(scene)
	})
	for _, p := range sc.Platforms {
		proxy, err := userProxy(p)
		if err != nil {
			return nil, err
		}
		prefix := "/emu/" + p.ID + "/"
		mux.Handle("GET "+prefix, proxy)
		mux.Handle("POST "+prefix, proxy)
	}
	return mux, nil
}

// userProxy forwards /emu/{id}/rest to the emulator's /emulator/rest;
// server-sent events are flushed as they come.
func userProxy(p Platform) (http.Handler, error) {
	target, err := url.Parse(p.API)
	if err != nil || target.Host == "" || p.ID == "" || strings.ContainsAny(p.ID, "/?#") {
		return nil, errors.New("playground: platform " + p.ID + ": bad emulator URL or id")
	}
	prefix := "/emu/" + p.ID + "/"
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.URL.Path = "/emulator/" + strings.TrimPrefix(r.In.URL.Path, prefix)
			r.Out.URL.RawPath = ""
		},
		FlushInterval: -1,
	}, nil
}
