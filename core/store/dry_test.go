package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func BenchmarkVariants(b *testing.B) {
	variants := map[string]string{
		"plain":     "INSERT INTO deliveries (idem_key, conversation_id, message_id, op, side, platform, state, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
		"returning": "INSERT INTO deliveries (idem_key, conversation_id, message_id, op, side, platform, state, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
		"conflict":  "INSERT INTO deliveries (idem_key, conversation_id, message_id, op, side, platform, state, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
		"both":      "INSERT INTO deliveries (idem_key, conversation_id, message_id, op, side, platform, state, next_attempt_at, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
	}
	for name, q := range variants {
		b.Run(name, func(b *testing.B) {
			s := benchSQLite(b, "sqlite")
			conv := benchParent(b, s)
			sqlDB, _ := s.db.DB()
			ctx := context.Background()
			now := time.Now().UTC()
			tx, _ := sqlDB.BeginTx(ctx, nil)
			b.ResetTimer()
			for i := range b.N {
				rows, err := tx.QueryContext(ctx, q, fmt.Sprint("k", i), int64(conv), nil, "send", "desk", "slack", "pending", now, now)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				rows.Close()
				if i%100 == 99 {
					tx.Commit()
					tx, _ = sqlDB.BeginTx(ctx, nil)
				}
			}
			tx.Commit()
		})
	}
}
