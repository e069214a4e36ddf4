-- The per-owner cap in one round trip per step (was 6 statements to claim, 5 to give a parked request back).
-- Each function takes the owner's advisory lock (held until the caller's transaction ends), then counts the owner's
-- live claims in a query of its own: a VOLATILE function takes a fresh snapshot per query, so the count sees every
-- claim committed before the lock was granted, and two claims can never both take an owner's last slot.
-- `p_uncapped` names the owner that is never capped (no authentication: one tenant); the lock space is "RP".

-- Whether the owner may start one more render (the request itself not counted); the claim's UPDATE calls it last.
CREATE FUNCTION "reports_owner_slot_free"(p_owner text, p_request_id uuid, p_max integer, p_uncapped text)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF p_owner = p_uncapped THEN
    RETURN true;
  END IF;
  PERFORM pg_advisory_xact_lock(21072, hashtext(p_owner));
  RETURN (
    SELECT count(*) FROM "report_requests"
    WHERE "owner" = p_owner AND "status" = 'processing' AND "lease_expires_at" > now() AND "request_id" <> p_request_id
  ) < p_max;
END $$;
--> statement-breakpoint

-- After a claim was refused: 'parked' when the request is queued and its owner at the cap (it is marked parked),
-- 'free' when a slot freed meanwhile (claim again), 'gone' when it is not queued (not claimable).
CREATE FUNCTION "reports_park_if_full"(p_request_id uuid, p_max integer, p_uncapped text)
RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_owner text;
BEGIN
  SELECT "owner" INTO v_owner FROM "report_requests" WHERE "request_id" = p_request_id AND "status" = 'queued';
  IF NOT FOUND THEN
    RETURN 'gone';
  END IF;
  IF "reports_owner_slot_free"(v_owner, p_request_id, p_max, p_uncapped) THEN
    RETURN 'free';
  END IF;
  UPDATE "report_requests" SET "parked_at" = now() WHERE "request_id" = p_request_id AND "status" = 'queued';
  RETURN CASE WHEN FOUND THEN 'parked' ELSE 'gone' END;
END $$;
--> statement-breakpoint

-- Takes the owner's oldest parked requests, as many as it has free slots, and marks them enqueued.
CREATE FUNCTION "reports_unpark"(p_owner text, p_max integer, p_uncapped text)
RETURNS TABLE("taken_id" uuid, "taken_attempts" integer, "taken_status" text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_free integer;
BEGIN
  IF p_owner = p_uncapped THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(21072, hashtext(p_owner));
  SELECT p_max - count(*) INTO v_free FROM "report_requests"
  WHERE "owner" = p_owner AND "status" = 'processing' AND "lease_expires_at" > now();
  IF v_free <= 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE "report_requests" AS t SET "parked_at" = NULL, "enqueued_at" = now()
    WHERE t."request_id" IN (
      SELECT p."request_id" FROM "report_requests" AS p
      WHERE p."owner" = p_owner AND p."parked_at" IS NOT NULL AND p."status" = 'queued'
      ORDER BY p."created_at" LIMIT v_free
    ) AND t."parked_at" IS NOT NULL AND t."status" = 'queued'
    RETURNING t."request_id", t."attempts", t."status"::text;
END $$;
