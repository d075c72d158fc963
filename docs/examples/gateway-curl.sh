curl -sS "$KEEL/api/gateway/v1/chat/completions" \
  -H "Authorization: Bearer $KEEL_SECRET_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "model": "prompt:support/reply@production",
    "messages": [],
    "variables": { "company": "Acme", "policy": "Refunds within 30 days of delivery.", "question": "Where is my order?" }
  }'
