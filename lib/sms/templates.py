"""SMS to citizens: DLT-registered templates in Hindi and English, safely filled and counted in SMS parts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from lib.core.i18n import Language


@dataclass(frozen=True)
class Template:
    name: str
    # TRAI's DLT rules: only registered templates may be sent, each under its id. These ids are
    # placeholders until the district registers its templates with the operator's DLT portal.
    dlt_template_id: dict[str, str]
    text: dict[str, str]


TEMPLATES: dict[str, Template] = {
    t.name: t for t in (
        Template(
            name="acknowledgement",
            dlt_template_id={"hi": "1107000000000000001", "en": "1107000000000000002"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} दर्ज हो गई है। "
                      "स्थिति देखें: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} is registered. "
                      "Track it at {track_url} -DC Office Rewari",
            },
        ),
        Template(
            name="accepted",
            dlt_template_id={"hi": "1107000000000000003", "en": "1107000000000000004"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} स्वीकार कर ली गई है। "
                      "सुनवाई की सूचना SMS से मिलेगी। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} has been accepted. "
                      "You will get the hearing details by SMS. -DC Office Rewari",
            },
        ),
        Template(
            name="rejected",
            dlt_template_id={"hi": "1107000000000000005", "en": "1107000000000000006"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} पर कार्रवाई नहीं की जा सकती। "
                      "कारण: {reason}। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} cannot be taken up. "
                      "Reason: {reason}. -DC Office Rewari",
            },
        ),
        Template(
            name="hearing_scheduled",
            dlt_template_id={"hi": "1107000000000000007", "en": "1107000000000000008"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} पर सुनवाई तय की गई है। "
                      "समय की सूचना अलग से मिलेगी। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: a hearing on your complaint {tracking_no} is being "
                      "scheduled. The time will follow. -DC Office Rewari",
            },
        ),
        Template(
            name="forwarded",
            dlt_template_id={"hi": "1107000000000000009", "en": "1107000000000000010"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} संबंधित विभाग को भेजी गई है। "
                      "-उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} has been sent to the "
                      "department concerned. -DC Office Rewari",
            },
        ),
        Template(
            name="resolved_feedback",
            dlt_template_id={"hi": "1107000000000000011", "en": "1107000000000000012"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} का समाधान दर्ज हुआ है। "
                      "क्या समस्या हल हुई? 30 दिनों में यहाँ बताएँ: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} is marked resolved. "
                      "Is it solved? Tell us within 30 days at {track_url} -DC Office Rewari",
            },
        ),
        Template(
            name="reopened",
            dlt_template_id={"hi": "1107000000000000013", "en": "1107000000000000014"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} दोबारा खोली गई है और विभाग "
                      "को फिर भेजी गई है। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} has been reopened and "
                      "sent back to the department. -DC Office Rewari",
            },
        ),
        # Hearings (issue 4). {join_url} is the hearing's video room: like {track_url} a link the
        # district registers with the template (the DLT whitelists the Jitsi server's address).
        Template(
            name="hearing_booked",
            dlt_template_id={"hi": "1107000000000000015", "en": "1107000000000000016"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर {officer} के साथ आपकी वीडियो सुनवाई "
                      "{date} को {time} बजे है। जुड़ें: {join_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your video hearing on complaint {tracking_no} with {officer} "
                      "is on {date} at {time}. Join: {join_url} -DC Office Rewari",
            },
        ),
        Template(
            name="hearing_rescheduled",
            dlt_template_id={"hi": "1107000000000000017", "en": "1107000000000000018"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} की सुनवाई का समय बदला है। नया समय: {date} "
                      "{time}, {officer} के साथ। जुड़ें: {join_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: the hearing on complaint {tracking_no} has moved to {date} at "
                      "{time} with {officer}. Join: {join_url} -DC Office Rewari",
            },
        ),
        Template(
            name="hearing_cancelled",
            dlt_template_id={"hi": "1107000000000000019", "en": "1107000000000000020"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} की {date} {time} की सुनवाई रद्द कर दी गई है। "
                      "आगे की सूचना SMS से मिलेगी। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: the hearing on complaint {tracking_no} on {date} at {time} is "
                      "cancelled. You will hear from us by SMS. -DC Office Rewari",
            },
        ),
        Template(
            name="reminder_day_before",
            dlt_template_id={"hi": "1107000000000000021", "en": "1107000000000000022"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: याद दिलाना - शिकायत {tracking_no} पर आपकी वीडियो सुनवाई कल {date} "
                      "को {time} बजे {officer} के साथ है। जुड़ें: {join_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: reminder - your video hearing on complaint {tracking_no} is "
                      "tomorrow, {date} at {time}, with {officer}. Join: {join_url} -DC Office Rewari",
            },
        ),
        Template(
            name="reminder_30_min",
            dlt_template_id={"hi": "1107000000000000023", "en": "1107000000000000024"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर आपकी वीडियो सुनवाई आज {time} बजे शुरू होगी। "
                      "जुड़ें: {join_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your video hearing on complaint {tracking_no} starts today at "
                      "{time}. Join: {join_url} -DC Office Rewari",
            },
        ),
        # A hearing recorded held (issue #12): what the DC directed, to whom and by when, with the signed
        # link of the acknowledgement ({track_url}, lib.citizen.track_links) to follow the rest.
        # {departments} is at most 30 characters (a department's name, or the codes of several).
        Template(
            name="hearing_held",
            dlt_template_id={"hi": "1107000000000000027", "en": "1107000000000000028"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर {date} को सुनवाई हुई। निर्देश: {departments} "
                      "को, रिपोर्ट {report_by} तक। स्थिति देखें: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: the hearing on complaint {tracking_no} was held on {date}. Directed: "
                      "{departments}, to report by {report_by}. Track it at {track_url} -DC Office Rewari",
            },
        ),
        Template(
            name="hearing_held_pending",
            dlt_template_id={"hi": "1107000000000000029", "en": "1107000000000000030"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर {date} को सुनवाई हुई। आगे की कार्रवाई की "
                      "सूचना SMS से मिलेगी। स्थिति देखें: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: the hearing on complaint {tracking_no} was held on {date}. You "
                      "will hear of the next step by SMS. Track it at {track_url} -DC Office Rewari",
            },
        ),
        # The track page's one-time code (issue #10): proves the citizen holds the complaint's mobile.
        Template(
            name="otp",
            dlt_template_id={"hi": "1107000000000000025", "en": "1107000000000000026"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} का विवरण देखने के लिए आपका कोड {code} है। "
                      "यह 10 मिनट तक मान्य है। इसे किसी को न बताएँ। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your code to see complaint {tracking_no} is {code}. "
                      "It is valid for 10 minutes. Do not share it. -DC Office Rewari",
            },
        ),
        # ---- Escalation (issue #15): to the officer a complaint past its deadline now reaches. ----
        # {level} is at most 30 characters (escalation.sms_level.*).
        Template(
            name="escalated",
            dlt_template_id={"hi": "1107000000000015001", "en": "1107000000000015002"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} समय-सीमा से आगे है और अब {level} स्तर पर "
                      "आपके पास है। कृपया पोर्टल पर कार्रवाई करें। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: complaint {tracking_no} is past its deadline and is now with "
                      "you at the {level} level. Please act on it in the portal. -DC Office Rewari",
            },
        ),
        # ---- end of escalation ----
        # -- assisted filing (issue #15): the citizen confirms, with this code, a complaint a CSC
        # operator is about to file for them ({centre}: the centre's name, at most 30 characters).
        Template(
            name="filing_code",
            dlt_template_id={"hi": "1107000000000000151", "en": "1107000000000000152"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: {centre} से आपकी शिकायत दर्ज करने की पुष्टि का कोड {code} है। "
                      "यह 10 मिनट तक मान्य है। शिकायत आपने नहीं करवाई तो कोड न बताएँ। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your code to confirm the complaint {centre} is filing for you is "
                      "{code}. Valid for 10 minutes. If you did not ask, do not share it. -DC Office Rewari",
            },
        ),
        # -- end assisted filing --
        # ---- appeals (issue #15): filed, sent back, upheld ----
        Template(
            name="appeal_filed",
            dlt_template_id={"hi": "1107000000000000161", "en": "1107000000000000162"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर आपकी अपील दर्ज हो गई है। अपीलीय अधिकारी "
                      "के निर्णय की सूचना SMS से मिलेगी। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your appeal on complaint {tracking_no} is registered. You will "
                      "get the appellate officer's decision by SMS. -DC Office Rewari",
            },
        ),
        Template(
            name="appeal_sent_back",
            dlt_template_id={"hi": "1107000000000000163", "en": "1107000000000000164"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी अपील पर शिकायत {tracking_no} दोबारा विभाग को भेजी गई है, "
                      "रिपोर्ट {report_by} तक। स्थिति देखें: {track_url} -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: on your appeal, complaint {tracking_no} is sent back to the "
                      "department, to report by {report_by}. Track it at {track_url} -DC Office Rewari",
            },
        ),
        Template(
            name="appeal_upheld",
            dlt_template_id={"hi": "1107000000000000165", "en": "1107000000000000166"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: शिकायत {tracking_no} पर आपकी अपील का निर्णय हो गया है: निपटान "
                      "सही पाया गया और शिकायत बंद की गई। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your appeal on complaint {tracking_no} is decided: the disposal "
                      "is upheld and the complaint is closed. -DC Office Rewari",
            },
        ),
        # ---- Duplicates (issue #15): a complaint merged into another names the one it joined. ----
        Template(
            name="merged",
            dlt_template_id={"hi": "1107000000000001501", "en": "1107000000000001502"},
            text={
                "hi": "ई-सचिवालय रेवाड़ी: आपकी शिकायत {tracking_no} उसी समस्या की शिकायत {original} के साथ "
                      "जोड़ दी गई है। आपके अपने नंबर से उसकी स्थिति दिखेगी। -उपायुक्त कार्यालय रेवाड़ी",
                "en": "e-Sachivalaya Rewari: your complaint {tracking_no} has been joined to complaint {original} "
                      "about the same problem. Your own number shows its progress. -DC Office Rewari",
            },
        ),
        # ---- end of Duplicates ----
    )
}

# The {reason} of the "rejected" SMS: a DLT variable holds at most 30 characters, so these are
# shorter than the portal's own wording of the reasons (lifecycle.RejectionReason values).
REJECTION_REASON_SMS: dict[str, dict[str, str]] = {
    "hi": {
        "court_matter": "मामला न्यायालय में लंबित",
        "rti": "सूचना हेतु RTI आवेदन करें",
        "personal_dispute": "निजी या पारिवारिक विवाद",
        "service_matter": "कर्मचारी का सेवा मामला",
        "duplicate": "पहले से दर्ज शिकायत का दोहराव",
        "insufficient_information": "अपर्याप्त जानकारी",
    },
    "en": {
        "court_matter": "matter pending in a court",
        "rti": "please apply under RTI",
        "personal_dispute": "personal or family dispute",
        "service_matter": "service matter of an employee",
        "duplicate": "duplicate of another complaint",
        "insufficient_information": "insufficient information",
    },
}

MAX_VARIABLE_CHARS = 30          # DLT variables ({#var#}) hold at most 30 characters
URL_VARIABLES = ("track_url", "join_url")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def departments_in_sms(names: list[str], codes: list[str]) -> str:
    """Directed departments as one DLT variable: a single one by its name when that fits, else the
    codes, as many as fit and "+n" for the rest. (Most Hindi names fit only without their last word,
    विभाग, which the wording "निर्देश: ... को" does not need.)"""
    if len(names) == 1:
        for name in (names[0], names[0].removesuffix(" विभाग")):
            if len(name) <= MAX_VARIABLE_CHARS:
                return name
    for shown in range(len(codes), 0, -1):
        text = ", ".join(codes[:shown]) + (f" +{len(codes) - shown}" if shown < len(codes) else "")
        if len(text) <= MAX_VARIABLE_CHARS:
            return text
    return f"+{len(codes)}"


def render(template_name: str, language: str, **variables: str) -> tuple[str, str]:
    """(DLT template id, message text) for the template in the language.

    Variables are stripped of control characters and cut to the DLT limit, so a citizen's input
    can never change the registered wording around it (a mismatch makes the operator drop it).
    """
    template = TEMPLATES[template_name]
    lang = Language(language)
    safe = {k: _UNSAFE.sub(" ", str(v)).strip()[:MAX_VARIABLE_CHARS] for k, v in variables.items()}
    # The portal's own links (tracking page, hearing room) are part of the registered wording (DLT
    # whitelists the URL), not a {#var#}: they are never cut.
    for name in URL_VARIABLES:
        safe[name] = _UNSAFE.sub("", str(variables.get(name, "")))
    return template.dlt_template_id[lang], template.text[lang].format(**safe)


# GSM 03.38 basic character set; anything else (Devanagari included) forces UCS-2.
_GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_parts(text: str) -> int:
    """How many SMS a message costs: GSM-7 160 (153 per part when split), UCS-2 70 (67)."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)
