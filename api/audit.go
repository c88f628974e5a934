package api

import (
	"net/http"

	"cornershop/core"
)

func (s *server) listAudit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &query{r: r}
		aq := core.AuditQuery{
			Object: q.str("object", 200), Actor: q.str("actor", 200), Action: q.str("action", 100),
			Since: q.time("since"), After: q.cursor("audit"),
		}
		limit := q.limit()
		if q.err != nil {
			s.fail(w, r, q.err, "")
			return
		}
		writePage(s, w, r, "audit", limit, func(n int) ([]core.AuditEntry, error) {
			aq.Limit = n
			return s.o.Records.ListAudit(r.Context(), aq)
		}, toAuditJSON, func(e auditJSON) int64 { return e.ID })
	})
}
