"""Demo data for Rewari: fictional citizens and complaints, generated in bulk."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa
from faker import Faker

from lib.core.complaints import HAPPY_PATH, EventKind, HearingMode, IdType, Status
from lib.core.config import DISTRICT_CODE
from lib.db import reference as reference_db
from lib.db.ops import seed as seed_db
from lib.db.connect import transaction
from lib.core.i18n import Language, name_in
from lib.core.states import SmsStatus
from lib.sms.templates import render

BATCH_SIZE = 200_000          # one transaction each: big enough for speed, small enough to show progress
HISTORY_DAYS = 730            # complaints are spread over the two years before `now`
IST_OFFSET_S = 19_800         # Asia/Kolkata is UTC+5:30 all year (no daylight saving)
DAY_S = 86_400
PLACE = "{place}"             # where a complaint text names the village or town
TRACKING_MARKER = "@@TRACKING_NO@@"
ACK_KEY_PREFIX = "ack:"       # the idempotency key lib.filing gives the acknowledgement SMS
HINDI_NAMES, ENGLISH_NAMES = 3000, 1500

# Per category: (department the DC office assigns when the category has none, subject and
# description in English, then in Hindi). {place} is replaced by the village or town.
TEXTS: dict[str, list[tuple[str | None, str, str, str, str]]] = {
    "WATER": [
        (None, "No drinking water supply for ten days",
         "There has been no drinking water supply in our street in {place} for the last ten days. Please restore it.",
         "दस दिन से पीने का पानी नहीं आ रहा",
         "{place} में हमारी गली में पिछले दस दिनों से पीने के पानी की सप्लाई बंद है। कृपया जल्द बहाल करवाएँ।"),
        (None, "Dirty water coming from the tap",
         "The water supplied in {place} is muddy and smells bad. Children are falling ill.",
         "नल में गंदा पानी आ रहा है",
         "{place} में नल से मटमैला और बदबूदार पानी आ रहा है, बच्चे बीमार हो रहे हैं।"),
        (None, "Broken water pipeline",
         "The main water pipeline near the chaupal in {place} is broken and water has been wasted for a week.",
         "पानी की पाइपलाइन टूटी हुई है",
         "{place} में चौपाल के पास मुख्य पाइपलाइन एक हफ़्ते से टूटी पड़ी है और पानी बह रहा है।"),
    ],
    "SEWER": [
        (None, "Sewer overflowing in the street",
         "The sewer line in {place} is blocked and dirty water is overflowing into the street.",
         "गली में सीवर ओवरफ्लो", "{place} में सीवर लाइन जाम है और गंदा पानी गली में भर रहा है।"),
        (None, "Rainwater not draining",
         "After every rain, water stands in our colony in {place} for days because the drain is blocked.",
         "बरसात का पानी नहीं निकलता", "{place} में हर बारिश के बाद नाली जाम होने से कई दिन तक पानी भरा रहता है।"),
        (None, "Open manhole is dangerous",
         "A manhole cover is missing on the main road of {place}; someone may fall in at night.",
         "खुला मैनहोल खतरनाक", "{place} की मुख्य सड़क पर मैनहोल का ढक्कन गायब है, रात में कोई गिर सकता है।"),
    ],
    "SANITATION": [
        (None, "Garbage not collected",
         "Garbage has not been collected in {place} for two weeks; the heap attracts stray animals.",
         "कूड़ा नहीं उठाया जा रहा", "{place} में दो हफ़्ते से कूड़ा नहीं उठाया गया, ढेर पर आवारा पशु जमा रहते हैं।"),
        (None, "Garbage dumped near the school",
         "People dump garbage next to the school in {place}. Please have it cleared and stop the dumping.",
         "स्कूल के पास कूड़े का ढेर", "{place} में स्कूल के पास लोग कूड़ा डाल रहे हैं, कृपया सफ़ाई करवाएँ और रोक लगाएँ।"),
        (None, "No sweeping in our lane",
         "The sweeper has not come to our lane in {place} for a month.",
         "गली में सफ़ाई नहीं होती", "{place} में हमारी गली में एक महीने से सफ़ाई कर्मचारी नहीं आया।"),
    ],
    "STREETLIGHT": [
        (None, "Street lights not working",
         "Most street lights on the main road of {place} have not worked for a month; it is unsafe at night.",
         "स्ट्रीट लाइटें बंद पड़ी हैं",
         "{place} की मुख्य सड़क की ज़्यादातर स्ट्रीट लाइटें एक महीने से बंद हैं, रात में डर लगता है।"),
        (None, "Street light pole damaged",
         "A street light pole in {place} is bent and its wires are hanging low.",
         "स्ट्रीट लाइट का खंभा टूटा", "{place} में स्ट्रीट लाइट का खंभा झुक गया है और तार नीचे लटक रहे हैं।"),
        (None, "Street lights on all day",
         "The street lights in {place} stay on during the day as well, wasting electricity.",
         "दिन में भी जलती हैं लाइटें", "{place} में स्ट्रीट लाइटें दिन में भी जलती रहती हैं, बिजली बर्बाद हो रही है।"),
    ],
    "ROAD": [
        (None, "Potholes on the main road",
         "The road from {place} to the highway is full of potholes; two-wheelers often fall there.",
         "मुख्य सड़क पर गड्ढे", "{place} से हाईवे तक की सड़क गड्ढों से भरी है, दोपहिया वाहन अक्सर गिरते हैं।"),
        (None, "Road work left incomplete",
         "Work on the street in {place} was started six months ago and left halfway.",
         "सड़क का काम अधूरा छोड़ा", "{place} में गली का निर्माण छह महीने पहले शुरू होकर अधूरा छोड़ दिया गया।"),
        (None, "Broken road under water",
         "The road in {place} is broken and stays under water after rain.",
         "टूटी सड़क पर पानी भराव", "{place} की सड़क टूटी हुई है और बारिश के बाद पानी में डूबी रहती है।"),
    ],
    "ELECTRICITY": [
        (None, "Long power cuts",
         "{place} gets power for only a few hours a day, with long unannounced cuts.",
         "लंबी बिजली कटौती", "{place} में दिन में कुछ ही घंटे बिजली आती है, बिना सूचना लंबी कटौती होती है।"),
        (None, "Wrong electricity bill",
         "My electricity bill is far higher than my use; the meter in {place} was not read.",
         "गलत बिजली बिल", "मेरा बिजली बिल खपत से बहुत ज़्यादा आया है, {place} में मीटर रीडिंग नहीं ली गई।"),
        (None, "Transformer burnt out",
         "The transformer in {place} burnt out a week ago and has not been replaced.",
         "ट्रांसफ़ॉर्मर जल गया", "{place} का ट्रांसफ़ॉर्मर एक हफ़्ते पहले जल गया, अभी तक नहीं बदला गया।"),
    ],
    "RATION": [
        (None, "Ration not given at the depot",
         "The ration depot holder in {place} has not given us wheat for two months.",
         "डिपो पर राशन नहीं मिला", "{place} के राशन डिपो धारक ने दो महीने से हमें गेहूँ नहीं दिया।"),
        (None, "Names removed from ration card",
         "My family members' names were removed from our ration card. We live in {place}.",
         "राशन कार्ड से नाम कटे", "हमारे राशन कार्ड से परिवार के सदस्यों के नाम काट दिए गए, हम {place} में रहते हैं।"),
        (None, "Ration depot stays closed",
         "The ration depot in {place} opens only one or two days a month.",
         "राशन डिपो बंद रहता है", "{place} का राशन डिपो महीने में केवल एक-दो दिन खुलता है।"),
    ],
    "PENSION": [
        (None, "Old-age pension stopped",
         "My old-age pension has stopped for three months without any reason. I live in {place}.",
         "बुढ़ापा पेंशन बंद हो गई", "मेरी बुढ़ापा पेंशन तीन महीने से बिना कारण बंद है। मैं {place} में रहता हूँ।"),
        (None, "Widow pension not sanctioned",
         "I applied for a widow pension from {place} a year ago but it is not yet sanctioned.",
         "विधवा पेंशन मंज़ूर नहीं हुई",
         "मैंने {place} से एक साल पहले विधवा पेंशन के लिए आवेदन किया था, अभी तक मंज़ूर नहीं हुई।"),
        (None, "Disability pension not received",
         "My son's disability pension has not reached our bank account in four months.",
         "दिव्यांग पेंशन नहीं मिली", "मेरे बेटे की दिव्यांग पेंशन चार महीने से बैंक खाते में नहीं आई।"),
    ],
    "LAND": [
        (None, "Mutation pending for months",
         "The mutation (intkal) of land bought in {place} has been pending at the tehsil for months.",
         "महीनों से इंतकाल लंबित", "{place} में खरीदी ज़मीन का इंतकाल तहसील में महीनों से लंबित है।"),
        (None, "Error in the jamabandi",
         "My name is spelled wrong in the jamabandi of {place}; please correct the record.",
         "जमाबंदी में गलती", "{place} की जमाबंदी में मेरा नाम गलत दर्ज है, कृपया रिकॉर्ड ठीक करवाएँ।"),
        (None, "Demarcation not done",
         "I applied for demarcation of my field in {place} but the patwari has not come.",
         "ज़मीन की निशानदेही नहीं हुई", "{place} में खेत की निशानदेही के लिए आवेदन किया था, पटवारी नहीं आया।"),
    ],
    "ENCROACHMENT": [
        (None, "Encroachment on the pond land",
         "Some people have encroached on the panchayat pond land in {place}.",
         "जोहड़ की ज़मीन पर कब्ज़ा", "{place} में पंचायत के जोहड़ की ज़मीन पर कुछ लोगों ने कब्ज़ा कर लिया है।"),
        (None, "Common street blocked by a wall",
         "A neighbour has built a wall on the common street in {place}, blocking the way.",
         "रास्ते पर दीवार बनाकर कब्ज़ा", "{place} में पड़ोसी ने आम रास्ते पर दीवार बना दी है, आना-जाना बंद है।"),
        (None, "Shops occupying the footpath",
         "Shopkeepers in {place} have occupied the footpath and part of the road.",
         "फुटपाथ पर दुकानों का कब्ज़ा", "{place} में दुकानदारों ने फुटपाथ और सड़क के हिस्से पर कब्ज़ा कर रखा है।"),
    ],
    "POLICE": [
        (None, "FIR not registered",
         "I went to the police station about a theft in {place} but my FIR was not registered.",
         "एफ़आईआर दर्ज नहीं हुई", "{place} में हुई चोरी की शिकायत लेकर थाने गया, पर एफ़आईआर दर्ज नहीं की गई।"),
        (None, "Drugs sold openly",
         "Drugs are being sold openly near the bus stand in {place}.",
         "इलाके में नशा बिक रहा है", "{place} में बस अड्डे के पास खुलेआम नशा बेचा जा रहा है।"),
        (None, "Traffic jam every evening",
         "There is a heavy traffic jam near the market in {place} every evening and no police staff.",
         "रोज़ शाम को जाम", "{place} में बाज़ार के पास हर शाम भारी जाम लगता है, कोई पुलिसकर्मी नहीं रहता।"),
    ],
    "HEALTH": [
        (None, "No doctor at the health centre",
         "The primary health centre in {place} has had no doctor for weeks.",
         "स्वास्थ्य केंद्र में डॉक्टर नहीं", "{place} के प्राथमिक स्वास्थ्य केंद्र में कई हफ़्तों से डॉक्टर नहीं है।"),
        (None, "Free medicines not available",
         "Free medicines are not available at the health centre near {place}.",
         "दवाइयाँ उपलब्ध नहीं", "{place} के पास स्वास्थ्य केंद्र में मुफ़्त दवाइयाँ नहीं मिल रहीं।"),
        (None, "Ambulance came late",
         "We called 108 for a patient in {place} but the ambulance came two hours later.",
         "एम्बुलेंस देर से आई", "{place} में मरीज़ के लिए 108 पर फ़ोन किया, एम्बुलेंस दो घंटे बाद आई।"),
    ],
    "SCHOOL": [
        (None, "Teacher posts vacant",
         "The government school in {place} has only two teachers for all classes.",
         "शिक्षकों के पद खाली", "{place} के सरकारी स्कूल में सभी कक्षाओं के लिए केवल दो शिक्षक हैं।"),
        (None, "School building unsafe",
         "The roof of a classroom in the school of {place} is cracked and leaks.",
         "स्कूल भवन असुरक्षित", "{place} के स्कूल में एक कमरे की छत में दरारें हैं और पानी टपकता है।"),
        (None, "Scholarship not received",
         "My daughter's scholarship for last year has not been paid. We live in {place}.",
         "छात्रवृत्ति नहीं मिली", "मेरी बेटी की पिछले साल की छात्रवृत्ति नहीं मिली। हम {place} में रहते हैं।"),
    ],
    "FAMILY_ID": [
        (None, "Wrong income in the Family ID",
         "The income shown in our Parivar Pehchan Patra is wrong, so we lost our BPL benefits.",
         "परिवार पहचान पत्र में गलत आय", "हमारे परिवार पहचान पत्र में आय गलत दर्ज है, इससे बीपीएल लाभ बंद हो गए।"),
        (None, "Child not added to the PPP",
         "My newborn child has not been added to our Family ID even after a month.",
         "PPP में बच्चे का नाम नहीं जुड़ा", "एक महीने बाद भी मेरे नवजात बच्चे का नाम परिवार पहचान पत्र में नहीं जुड़ा।"),
        (None, "Wrong date of birth in the PPP",
         "My date of birth in the Family ID is wrong; the CSC in {place} could not correct it.",
         "PPP में जन्मतिथि गलत", "परिवार पहचान पत्र में मेरी जन्मतिथि गलत है, {place} के सीएससी से ठीक नहीं हुई।"),
    ],
    "IRRIGATION": [
        (None, "Canal water not reaching fields",
         "Water in the minor canal does not reach the tail-end fields of {place}.",
         "खेतों तक नहर का पानी नहीं पहुँचता", "{place} के टेल वाले खेतों तक माइनर नहर का पानी नहीं पहुँचता।"),
        (None, "Canal bank broken",
         "The canal bank near {place} is broken and water is flooding the fields.",
         "नहर का किनारा टूटा", "{place} के पास नहर का किनारा टूट गया है, खेतों में पानी भर रहा है।"),
        (None, "Watercourse not cleaned",
         "The watercourse in {place} is full of silt and has not been cleaned.",
         "खाल की सफ़ाई नहीं हुई", "{place} में खाल में गाद भरी है, सफ़ाई नहीं करवाई गई।"),
    ],
    "FARMING": [
        (None, "Crop loss compensation not paid",
         "Our mustard crop in {place} was damaged by hail but no compensation has been paid.",
         "फसल नुकसान का मुआवज़ा नहीं मिला", "{place} में ओलावृष्टि से सरसों की फसल खराब हुई, मुआवज़ा नहीं मिला।"),
        (None, "Crop insurance claim pending",
         "My crop insurance claim for the last season is still pending.",
         "फसल बीमा दावा लंबित", "पिछले सीज़न का मेरा फसल बीमा दावा अभी तक लंबित है।"),
        (None, "Fertiliser not available",
         "DAP fertiliser is not available at the cooperative society in {place}.",
         "खाद नहीं मिल रही", "{place} की सहकारी समिति में डीएपी खाद उपलब्ध नहीं है।"),
    ],
    "OTHER": [
        ("AHD", "Stray cattle on the roads",
         "Stray cattle roam the roads of {place} and cause accidents.",
         "सड़कों पर बेसहारा पशु", "{place} की सड़कों पर बेसहारा पशु घूमते हैं और हादसे होते हैं।"),
        ("TRANSPORT", "Buses do not stop",
         "Roadways buses do not stop at {place} even though there is a stop.",
         "बसें नहीं रुकतीं", "{place} में स्टॉप होने के बावजूद रोडवेज़ बसें नहीं रुकतीं।"),
        ("REV", "Certificate not issued",
         "My residence certificate application from {place} has been pending for two months.",
         "प्रमाण पत्र जारी नहीं हुआ", "{place} से रिहायशी प्रमाण पत्र का आवेदन दो महीने से लंबित है।"),
    ],
}

# How often each category is filed from a town and from a village: drains and lights are
# town matters, land, canals and crops village ones.
CATEGORY_WEIGHTS = {   # code: (town, village)
    "WATER": (14, 12), "SEWER": (10, 3), "SANITATION": (10, 2), "STREETLIGHT": (7, 2), "ROAD": (9, 7),
    "ELECTRICITY": (9, 9), "RATION": (5, 8), "PENSION": (5, 9), "LAND": (2, 10), "ENCROACHMENT": (4, 8),
    "POLICE": (7, 5), "HEALTH": (4, 4), "SCHOOL": (3, 4), "FAMILY_ID": (5, 6), "IRRIGATION": (0.2, 5),
    "FARMING": (0.5, 7), "OTHER": (4, 4),
}

LOCALITIES = {
    Language.ENGLISH: ["Gali No. 3", "Gali No. 7", "Near the bus stand", "Behind the grain market",
                       "Near the Shiv temple", "Near the government school", "Near the chaupal"],
    Language.HINDI: ["गली नं. 3", "गली नं. 7", "बस अड्डे के पास", "अनाज मंडी के पीछे",
                     "शिव मंदिर के पास", "सरकारी स्कूल के पास", "चौपाल के पास"],
}

# Short remarks officers leave on a status change, by the status it moves to.
REMARKS = {
    Status.UNDER_SCRUTINY: (["Taken up for scrutiny"], ["जाँच हेतु लिया गया"]),
    Status.ACCEPTED: (["Documents verified", "Complaint found genuine"],
                      ["दस्तावेज़ सत्यापित", "शिकायत सही पाई गई"]),
    Status.REJECTED: (["Duplicate of an earlier complaint", "Matter is sub judice",
                       "Outside the district's jurisdiction", "Identity document not readable"],
                      ["पहले दर्ज शिकायत का दोहराव", "मामला न्यायालय में विचाराधीन",
                       "ज़िले के अधिकार क्षेत्र से बाहर", "पहचान दस्तावेज़ पढ़ने योग्य नहीं"]),
    Status.HEARING_SCHEDULED: (["Hearing fixed before the DC"], ["उपायुक्त के समक्ष सुनवाई तय"]),
    Status.HEARD: (["DC directed the department to act within 15 days", "Report called from the department"],
                   ["उपायुक्त ने 15 दिन में कार्रवाई के निर्देश दिए", "विभाग से रिपोर्ट माँगी गई"]),
    Status.WITH_DEPARTMENT: (["Forwarded to the department for action"], ["कार्रवाई हेतु विभाग को भेजा गया"]),
    Status.ACTION_REPORTED: (["Work completed, report attached", "Site inspected and problem fixed"],
                             ["कार्य पूरा, रिपोर्ट संलग्न", "मौका देखकर समस्या दूर की गई"]),
    Status.RESOLVED: (["Citizen confirmed by phone"], ["नागरिक ने फ़ोन पर पुष्टि की"]),
    Status.CLOSED: (["Closed after the citizen's feedback"], ["नागरिक की प्रतिक्रिया के बाद बंद"]),
}

# Who moves a complaint to each status; "@department" is the officer of its department.
ACTORS = {
    Status.UNDER_SCRUTINY: "system", Status.ACCEPTED: "dc_office", Status.REJECTED: "dc_office",
    Status.HEARING_SCHEDULED: "system", Status.HEARD: "dc_rewari", Status.WITH_DEPARTMENT: "dc_office",
    Status.ACTION_REPORTED: "@department", Status.RESOLVED: "dc_office", Status.CLOSED: "system",
}

# Time a complaint waits before each step of HAPPY_PATH (log-normal: median seconds, spread).
# A district office has a backlog: about two months from filing to closing is usual.
STEP_DELAYS = [(12 * 3600, 1.0), (2 * DAY_S, 0.8), (3 * DAY_S, 0.7), (9 * DAY_S, 0.5),
               (1 * DAY_S, 0.9), (18 * DAY_S, 0.7), (4 * DAY_S, 0.8), (8 * DAY_S, 0.6)]
# Where complaints end up, given time: (share, last step). Step 2 is rejection on the rejected
# path; a few stay with the department or at its report for months, as real ones do.
OUTCOMES = [(0.08, 2, True), (0.70, 8, False), (0.18, 7, False), (0.03, 5, False), (0.01, 6, False)]

STATUSES = [s.value for s in Status]
LANGUAGES = [Language.HINDI.value, Language.ENGLISH.value]     # index 0 = hi, 1 = en


@dataclass(frozen=True)
class _District:
    """Everything a batch draws from, built once: places, categories, texts, names, dictionaries."""
    place_lgd: np.ndarray
    place_tehsil: np.ndarray
    place_wards: np.ndarray          # 0 for villages
    town_idx: np.ndarray
    village_idx: np.ndarray
    town_p: np.ndarray
    village_p: np.ndarray
    place_names: pa.Array            # English names, then names in Hindi (English where unknown)
    category_codes: pa.Array
    category_p: np.ndarray           # (2, categories): town, village
    text_base: np.ndarray            # first template of each category
    text_count: np.ndarray
    text_department: np.ndarray      # per template: department index
    category_has_department: np.ndarray
    subjects: pa.Array               # all templates in Hindi, then in English
    descriptions: pa.Array
    departments: pa.Array
    names: pa.Array                  # Hindi-script names, then Latin-script names
    hindi_names: int
    localities: pa.Array
    actors: pa.Array
    actor_by_status: np.ndarray      # index into actors; -1: the officer of the department
    officer_base: int                # actors[officer_base + department index] is its officer
    remarks: pa.Array
    remark_base: np.ndarray          # (statuses, languages)
    remark_count: np.ndarray


def seed_complaints(con, count: int, *, now: datetime | None = None, random_seed: int | None = None,
                    track_url: str = "http://localhost:8501/track_complaint",
                    progress: Callable[[int], None] | None = None) -> int:
    """Add `count` demo complaints filed over the two years before `now`, with their history
    and acknowledgement SMS, in batches of one transaction each. Returns the complaints added."""
    if count <= 0:
        return 0
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now_s = int(now.timestamp())
    rng = np.random.default_rng(random_seed)
    with con.cursor() as cur:
        district = _district(cur, rng)
    sms_templates = _sms_templates(track_url)
    hmac_salt = rng.bytes(16).hex()
    filed = _filing_times(rng, count, now_s)
    added = 0
    for start in range(0, count, BATCH_SIZE):
        batch = _Batch.draw(rng, district, filed[start:start + BATCH_SIZE], now_s)
        with transaction(con) as cur:
            ids = seed_db.reserve_ids(cur, "complaint_seq", batch.size)
            event_ids = seed_db.reserve_ids(cur, "event_seq", batch.event_count)
            sms_ids = seed_db.reserve_ids(cur, "sms_seq", batch.size)
            seed_db.insert_seed_batch(
                cur, batch.complaints(district, ids, sms_ids), batch.events(district, ids, event_ids),
                sms_templates, district_code=DISTRICT_CODE, hmac_salt=hmac_salt, place_marker=PLACE,
                template="acknowledgement", tracking_marker=TRACKING_MARKER, sms_status=SmsStatus.SENT,
                key_prefix=ACK_KEY_PREFIX)
        added += batch.size
        if progress:
            progress(batch.size)
    return added


def _sms_templates(track_url: str) -> pa.Table:
    """The acknowledgement rendered once per language, with a marker where the tracking number goes."""
    rows = [(lang, *render("acknowledgement", lang, tracking_no=TRACKING_MARKER, track_url=track_url))
            for lang in LANGUAGES]
    for _, _, body in rows:
        assert body.count(TRACKING_MARKER) == 1, "the SMS template must show the tracking number once"
    return pa.table({"language": [r[0] for r in rows], "dlt_template_id": [r[1] for r in rows],
                     "body": [r[2] for r in rows]})


def _filing_times(rng: np.random.Generator, count: int, now_s: int) -> np.ndarray:
    """Filing times (epoch seconds, ascending) over the last two years: later months are busier,
    Sundays quiet, and people file in the morning or after work (hours of Rewari, IST)."""
    today = (now_s + IST_OFFSET_S) // DAY_S
    days = np.arange(today - HISTORY_DAYS + 1, today + 1)
    weight = 1.0 + 1.5 * np.linspace(0.0, 1.0, HISTORY_DAYS)
    weekday = (days + 3) % 7                       # 1970-01-01 was a Thursday; Monday = 0
    weight *= np.where(weekday == 6, 0.45, np.where(weekday == 5, 0.8, 1.0))
    day = rng.choice(days, size=count, p=weight / weight.sum())
    evening = rng.random(count) < 0.35
    hour = np.where(evening, rng.normal(19.5, 1.5, count), rng.normal(11.5, 2.2, count))
    # Phones file at any hour: a few at night, and no pile-up at the ends of the day.
    night = (rng.random(count) < 0.04) | (hour < 5.5) | (hour >= 24)
    hour[night] = rng.uniform(0, 24, int(night.sum()))
    second = (hour * 3600).astype(np.int64)
    filed = day * DAY_S - IST_OFFSET_S + second
    future = filed >= now_s                        # later today: move to the hours just gone
    filed[future] = now_s - rng.integers(60, 4 * 3600, int(future.sum()))
    return np.sort(filed)


def _district(cur, rng: np.random.Generator) -> _District:
    """The district as the seeder draws from it, from the reference tables and the texts above."""
    places = reference_db.list_places(cur)
    categories = [c for c in reference_db.list_categories(cur) if c[0] in TEXTS]
    departments = [d[0] for d in reference_db.list_departments(cur)]
    for code in ["REV"] + [c[3] for c in categories] + [t[0] for c in categories for t in TEXTS[c[0]]]:
        if code and code not in departments:
            departments.append(code)
    if not places or not categories:
        raise RuntimeError("load the reference data before seeding")
    dept_index = {code: i for i, code in enumerate(departments)}

    kinds = np.array([p.is_town for p in places])
    town_idx, village_idx = np.flatnonzero(kinds), np.flatnonzero(~kinds)
    wards = np.array([p.wards or 0 for p in places], dtype=np.int64)
    # Towns by their size in wards; villages by a fixed, uneven weight so some stand out on charts.
    village_w = rng.lognormal(0.0, 0.6, len(village_idx))

    cat_w = np.array([CATEGORY_WEIGHTS.get(c[0], (3, 3)) for c in categories], dtype=float).T
    counts = np.array([len(TEXTS[c[0]]) for c in categories])
    templates = [(c, t) for c in categories for t in TEXTS[c[0]]]
    officers = [f"{code.lower()}_officer" for code in departments]
    actors = ["citizen", *sorted({a for a in ACTORS.values() if not a.startswith("@")})]
    remark_lists = [REMARKS.get(Status(s), ([], [])) for s in STATUSES]
    remark_texts = [text for pair in remark_lists for lang_texts in (pair[1], pair[0]) for text in lang_texts]
    remark_count = np.array([[len(pair[1]), len(pair[0])] for pair in remark_lists])
    remark_base = np.cumsum(remark_count.ravel()).reshape(remark_count.shape) - remark_count
    names_hi, names_en = _name_pool(int(rng.integers(2**31)))
    return _District(
        place_lgd=np.array([p.lgd_code for p in places]), place_tehsil=np.array([p.tehsil_lgd for p in places]),
        place_wards=wards, town_idx=town_idx, village_idx=village_idx,
        town_p=wards[town_idx] / wards[town_idx].sum(), village_p=village_w / village_w.sum(),
        place_names=pa.array([p.name_en for p in places] + [name_in("hi", p.name_en, p.name_hi) for p in places]),
        category_codes=pa.array([c[0] for c in categories]),
        category_p=cat_w / cat_w.sum(axis=1, keepdims=True),
        text_base=np.cumsum(counts) - counts, text_count=counts,
        # A complaint with no department of its own goes to Revenue, the DC's own office.
        text_department=np.array([dept_index[t[0] or c[3] or "REV"] for c, t in templates]),
        category_has_department=np.array([bool(c[3]) for c in categories]),
        subjects=pa.array([t[3] for _, t in templates] + [t[1] for _, t in templates]),
        descriptions=pa.array([t[4] for _, t in templates] + [t[2] for _, t in templates]),
        departments=pa.array(departments), names=pa.array(names_hi + names_en), hindi_names=len(names_hi),
        localities=pa.array(LOCALITIES[Language.HINDI] + LOCALITIES[Language.ENGLISH]),
        actors=pa.array(actors + officers), officer_base=len(actors),
        actor_by_status=np.array([actors.index(ACTORS[Status(s)]) if ACTORS.get(Status(s), "@")[0] != "@"
                                  else -1 for s in STATUSES]),
        remarks=pa.array(remark_texts or [""]), remark_base=remark_base, remark_count=remark_count,
    )


def _name_pool(seed: int) -> tuple[list[str], list[str]]:
    """Fictional names, made once: Faker per row would take minutes for a million complaints.
    Hindi complaints get names in Devanagari (hi_IN), English ones the Latin spelling (en_IN)."""
    pools = []
    for locale, size in (("hi_IN", HINDI_NAMES), ("en_IN", ENGLISH_NAMES)):
        fake = Faker(locale)
        fake.seed_instance(seed)
        # first + last name: Faker's name() adds odd honorific prefixes in hi_IN.
        pools.append([f"{fake.first_name()} {fake.last_name()}" for _ in range(size)])
    return pools[0], pools[1]


def _dict(indices: np.ndarray, dictionary: pa.Array, mask: np.ndarray | None = None) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32), mask=mask), dictionary)


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, type=pa.timestamp("us", tz="UTC"))


@dataclass(frozen=True, eq=False)
class _Batch:
    """One batch of complaints drawn as integer arrays (one entry per complaint, or per event
    for the remark draws); the Arrow frames are made once the ids are known."""
    filed: np.ndarray            # epoch seconds, ascending
    lang: np.ndarray             # index into LANGUAGES
    place: np.ndarray
    ward: np.ndarray             # 0 in villages
    cat: np.ndarray
    template: np.ndarray
    cum: np.ndarray              # (complaints, steps): seconds from filing to each step
    rejected: np.ndarray
    version: np.ndarray          # status changes so far = steps taken
    status: np.ndarray           # index into STATUSES
    department: np.ndarray
    not_sure: np.ndarray         # department left NULL
    name: np.ndarray
    mobile: np.ndarray
    aadhaar: np.ndarray
    last4: np.ndarray
    temporary: np.ndarray
    ppp: np.ndarray
    locality: np.ndarray
    no_locality: np.ndarray
    video: np.ndarray
    preferred: np.ndarray
    no_preferred: np.ndarray
    sms_sent: np.ndarray
    remark_pick: np.ndarray
    remark_none: np.ndarray

    @property
    def size(self) -> int:
        return len(self.filed)

    @property
    def event_count(self) -> int:
        return int(self.version.sum()) + self.size

    @classmethod
    def draw(cls, rng: np.random.Generator, d: _District, filed: np.ndarray, now_s: int) -> _Batch:
        n = len(filed)
        hindi = rng.random(n) < 0.70
        lang = np.where(hindi, 0, 1)
        town = rng.random(n) < 1 / 3
        place = np.where(town, rng.choice(d.town_idx, n, p=d.town_p), rng.choice(d.village_idx, n, p=d.village_p))
        ward = np.where(town, (rng.random(n) * d.place_wards[place]).astype(np.int64) + 1, 0)
        cat = np.where(town, rng.choice(len(d.text_base), n, p=d.category_p[0]),
                       rng.choice(len(d.text_base), n, p=d.category_p[1]))
        template = d.text_base[cat] + (rng.random(n) * d.text_count[cat]).astype(np.int64)

        # Progress along the path: each step waits its own time; a complaint has reached every
        # step whose time has come, up to where it is fated to stop.
        delays = np.stack([np.maximum(rng.lognormal(np.log(m), s, n), 300) for m, s in STEP_DELAYS], axis=1)
        cum = np.zeros((n, len(HAPPY_PATH)), dtype=np.int64)
        cum[:, 1:] = np.cumsum(np.minimum(delays, 120 * DAY_S).astype(np.int64), axis=1)
        outcome = rng.choice(len(OUTCOMES), n, p=[o[0] for o in OUTCOMES])
        last_step = np.array([o[1] for o in OUTCOMES])[outcome]
        rejected = np.array([o[2] for o in OUTCOMES])[outcome]
        reached = (cum[:, 1:] <= (now_s - filed)[:, None]).sum(axis=1)
        version = np.minimum(reached, last_step)

        happy = np.array([STATUSES.index(s) for s in HAPPY_PATH])
        status = happy[version]
        status[rejected & (version == 2)] = STATUSES.index(Status.REJECTED)
        early = version <= 1                     # submitted or under scrutiny: department may be unknown
        department = d.text_department[template].copy()
        # About 5% are "not sure"; most who chose "something else" have no department to name.
        not_sure = early & (rng.random(n) < np.where(d.category_has_department[cat], 0.05, 0.6))
        aadhaar = rng.random(n) < 0.60
        temporary = rng.random(n) < 0.05
        ppp = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype="S1")[
            rng.integers(0, 36, (n, 8))].view("S8").ravel()
        events = int(version.sum()) + n
        return cls(
            filed=filed, lang=lang, place=place, ward=ward, cat=cat, template=template, cum=cum,
            rejected=rejected, version=version, status=status, department=department, not_sure=not_sure,
            name=np.where(hindi, rng.integers(0, d.hindi_names, n),
                          rng.integers(d.hindi_names, len(d.names), n)),
            mobile=rng.choice([6, 7, 8, 9], n, p=[0.1, 0.25, 0.25, 0.4]) * 10**9 + rng.integers(0, 10**9, n),
            aadhaar=aadhaar, last4=rng.integers(0, 10_000, n), temporary=temporary, ppp=ppp,
            locality=rng.integers(0, len(LOCALITIES[Language.HINDI]), n) + lang * len(LOCALITIES[Language.HINDI]),
            no_locality=rng.random(n) < np.where(town, 0.3, 0.7),
            video=rng.random(n) < 0.85,
            preferred=rng.integers(3, 21, n), no_preferred=rng.random(n) < 0.4,
            sms_sent=np.minimum(filed + rng.integers(2, 90, n), now_s),
            remark_pick=rng.random(events), remark_none=rng.random(events) < 0.45,
        )

    def complaints(self, d: _District, ids: np.ndarray, sms_ids: np.ndarray) -> pa.Table:
        n = self.size
        # PPP Family ID: 8 characters, or 9 starting with T for a temporary family.
        ppp = np.where(self.temporary, np.char.add(b"T", self.ppp), self.ppp)
        return pa.table({
            "id": ids, "sms_id": sms_ids,
            "filed_at": _timestamps(self.filed),
            "updated_at": _timestamps(self.filed + self.cum[np.arange(n), self.version]),
            "sms_sent_at": _timestamps(self.sms_sent),
            "language": _dict(self.lang, pa.array(LANGUAGES)),
            "citizen_name": _dict(self.name, d.names),
            "mobile_digits": self.mobile.astype(np.int64),
            "id_type": _dict(np.where(self.aadhaar, 0, 1), pa.array([IdType.AADHAAR.value, IdType.PPP.value])),
            "aadhaar_last4": pa.array(self.last4.astype(np.int16), mask=~self.aadhaar),
            "ppp_id": pa.array(ppp, mask=self.aadhaar).cast(pa.string()),
            "tehsil_lgd": d.place_tehsil[self.place].astype(np.int32),
            "place_lgd": d.place_lgd[self.place].astype(np.int32),
            "place_name": _dict(self.place + (self.lang == 0) * len(d.place_lgd), d.place_names),
            "ward": pa.array(self.ward.astype(np.int32), mask=self.ward == 0),
            "locality": _dict(self.locality, d.localities, self.no_locality),
            "department_code": _dict(self.department, d.departments, self.not_sure),
            "category_code": _dict(self.cat, d.category_codes),
            "subject": _dict(self.template + self.lang * len(d.text_department), d.subjects),
            "description": _dict(self.template + self.lang * len(d.text_department), d.descriptions),
            "hearing_mode": _dict(np.where(self.video, 0, 1),
                                  pa.array([HearingMode.VIDEO.value, HearingMode.IN_PERSON.value])),
            "preferred_in_days": pa.array(self.preferred.astype(np.int32), mask=self.no_preferred),
            "status": _dict(self.status, pa.array(STATUSES)),
            "version": self.version.astype(np.int32),
        })

    def events(self, d: _District, ids: np.ndarray, event_ids: np.ndarray) -> pa.Table:
        """One 'filed' event per complaint, then one per status change, in time order."""
        counts = self.version + 1
        owner = np.repeat(np.arange(self.size), counts)
        step = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        happy = np.array([STATUSES.index(s) for s in HAPPY_PATH])
        to = happy[step]
        to[self.rejected[owner] & (step == 2)] = STATUSES.index(Status.REJECTED)
        first = step == 0
        frm = happy[np.maximum(step - 1, 0)]

        actor = d.actor_by_status[to]
        actor[first] = 0                                  # actors[0] is the citizen
        officer = actor < 0
        actor[officer] = d.officer_base + self.department[owner][officer]
        lang = self.lang[owner]
        count = d.remark_count[to, lang]
        remark = d.remark_base[to, lang] + (self.remark_pick * np.maximum(count, 1)).astype(np.int64)
        no_remark = first | (count == 0) | (self.remark_none & (to != STATUSES.index(Status.REJECTED)))
        return pa.table({
            "id": event_ids, "complaint_id": ids[owner],
            "happened_at": _timestamps(self.filed[owner] + self.cum[owner, step]),
            "actor": _dict(actor, d.actors),
            "event": _dict(np.where(first, 0, 1), pa.array([EventKind.FILED.value, EventKind.STATUS_CHANGED.value])),
            "from_status": _dict(frm, pa.array(STATUSES), first),
            "to_status": _dict(to, pa.array(STATUSES)),
            "remark": _dict(np.where(no_remark, 0, remark), d.remarks, no_remark),
        })
