package api

import "net/http"

// routes is every route of the API, in one place, with the scope each
// needs.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/openapi.json", s.openAPI())

	mux.Handle("GET /api/v1/contacts", s.require(ScopeRead, s.listContacts()))
	mux.Handle("GET /api/v1/contacts/{id}", s.require(ScopeRead, s.getContact()))
	mux.Handle("PATCH /api/v1/contacts/{id}", s.require(ScopeWrite, s.patchContact()))
	mux.Handle("POST /api/v1/contacts/{id}/messages", s.require(ScopeWrite, s.reachContact()))

	mux.Handle("GET /api/v1/conversations", s.require(ScopeRead, s.listConversations()))
	mux.Handle("GET /api/v1/conversations/{id}", s.require(ScopeRead, s.getConversation()))
	mux.Handle("GET /api/v1/conversations/{id}/messages", s.require(ScopeRead, s.listMessages()))
	mux.Handle("POST /api/v1/conversations/{id}/replies", s.require(ScopeWrite, s.reply()))

	mux.Handle("GET /api/v1/ideas", s.require(ScopeRead, s.listIdeas()))
	mux.Handle("GET /api/v1/ideas/{id}", s.require(ScopeRead, s.getIdea()))
	mux.Handle("POST /api/v1/ideas/{id}/status", s.require(ScopeWrite, s.setIdeaStatus()))

	mux.Handle("GET /api/v1/answers", s.require(ScopeRead, s.listAnswers()))
	mux.Handle("GET /api/v1/answers/{id}", s.require(ScopeRead, s.getAnswer()))

	mux.Handle("GET /api/v1/audit", s.require(ScopeAdmin, s.listAudit()))

	if s.o.Privacy != nil {
		mux.Handle("GET /api/v1/contacts/{id}/export", s.require(ScopeAdmin, s.exportContact()))
		mux.Handle("POST /api/v1/contacts/{id}/erase", s.require(ScopeAdmin, s.eraseContact()))
	}

	for _, rt := range s.o.Routes {
		mux.Handle(rt.Pattern, s.require(rt.Scope, rt.Handler))
	}

	mux.Handle("/api/v1/", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such route; see /api/v1/openapi.json", "")
	}))
	return mux
}
