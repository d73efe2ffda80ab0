"""The names of the conversation's slots (domain.yml `slots:`), for every Python reader and writer of them.

One constant per slot of the domain, no more (tests/unit/domain/test_slots.py holds both to that). Many slots share
their name with the entity that fills them; entity names are not these constants. Rasa's own `requested_slot` is
`rasa_sdk.forms.REQUESTED_SLOT`.
"""

from __future__ import annotations

#: The reply language: zh, en or mixed (filled every turn by the language detector).
LANGUAGE = "language"
#: safety / high / normal, from the urgency tagger.
URGENCY = "urgency"
#: A brand code we service.
BRAND = "brand"
#: A brand we know but do not service (its English name): a person takes over.
UNSERVED_BRAND = "unserved_brand"
PRODUCT_CATEGORY = "product_category"
PRODUCT_MODEL = "product_model"
ERROR_CODE = "error_code"
SYMPTOM = "symptom"
#: The place as the customer said it; its geocoded form is `GEO`.
LOCATION = "location"
#: "pending" while a guessed place awaits the customer's yes or no (`actions.place_check`).
PLACE_CHECK = "place_check"
PLACE_CANDIDATE = "place_candidate"
PLACE_LABEL = "place_label"
#: The validated location: lat, lon, country, adcode and label.
GEO = "geo"
PHONE = "phone"
PREFERRED_DATE = "preferred_date"
PURCHASE_DATE = "purchase_date"
PART = "part"
SERIAL = "serial"
IMEI = "imei"
TICKET_NUMBER = "ticket_number"
#: The answer the bot waits for: repair / installation (a summary), cancel, reservation, csat, need.
AWAITING = "awaiting"
#: One id per summary shown: the idempotency of its confirmation.
DRAFT_ID = "draft_id"
EDIT_SLOT = "edit_slot"
OFFERED_PART = "offered_part"
CSAT_TICKET = "csat_ticket"
CSAT_SCORE = "csat_score"
NEED_CANDIDATES = "need_candidates"
