// The words mail clients write around quotes and forwards (see
// reply_patterns.hpp). UTF-8 source: the words are as the clients write
// them. Grouped by language, English first.

#include "mime/reply_patterns.hpp"

namespace forumgate::mime::patterns {

namespace {

using HR = HeaderRole;

constexpr std::string_view ends[] = {
    "wrote",   // en (also Thunderbird ja)
    "writes",  // en (Gnus, slrn)
    "a écrit",
    "a ecrit",  // fr
    "schrieb",  // de ("<name> schrieb:")
    "escribió",
    "escribio",  // es
    "escreveu",  // pt
    "ha scritto",
    "scrisse",  // it
    "het volgende geschreven",
    "schreef",    // nl
    "skrev",      // sv, no, da
    "kirjoitti",  // fi
    "napisał(a)",
    "napisał",
    "napisała",
    "pisze",  // pl
    "napsal(a)",
    "napsal",
    "napsala",  // cs
    "написал(а)",
    "написал",
    "написала",
    "пишет",  // ru
    "написав(ла)",
    "написав",
    "написала",
    "пише",  // uk
    "şunu yazdı",
    "şunları yazdı",
    "yazdı",   // tr
    "έγραψε",  // el
    "כתב/ה",
    "כתב",
    "כתבה",  // he
    "كتب",   // ar
    "写道",
    "寫道",  // zh
    "のメール",
    "のメッセージ",
    "さんは書きました",  // ja
    "님이 작성",
    "작성",
    "쓴 글",  // ko
    // Beyond the 22: hu, ro, sk, hr/sr/bs, sl, bg, ca, et, lv, lt, id, vi
    "írta",
    "a scris",
    "napísal(a)",
    "napísal",
    "je napisao",
    "je napisala",
    "je napisal",
    "написа",
    "va escriure",
    "kirjutas",
    "rakstīja",
    "rašė",
    "menulis",
    "đã viết",
};

constexpr std::string_view verbs[] = {
    " wrote on ",  // Lotus Notes: "<name> wrote on <date>:"
    " schrieb ",   // de: "Am <date> schrieb <name>:"
    " schreef ",   // nl: "Op <date> schreef <name>:"
    " skrev ",     // sv, no, da: "Den <date> skrev <name>:"
    " kirjoitti ",
    " napisał ",
    " написал ",
    " كتب ",                      // ar: "في <date>، كتب <name>:"
    " تمت كتابة ما يلي بواسطة ",  // ar, Gmail
    " odesílatel ",               // cs, Gmail: "<date> odesílatel <name> napsal:"
    " пользователь ",             // ru, Gmail on Android
    "Wiadomość napisana przez ",  // pl, Apple Mail
    " מאת ",                      // he, Gmail: "בתאריך <date> מאת <name>:"
};

constexpr std::string_view leads[] = {
    "On ", "At ",     "Le ",  "Am ",   "El ", "Em ",     "No dia ", "Il giorno ", "Il ", "Op ", "Den ",
    "På ", "W dniu ", "Dne ", "Στις ", "В ",  "בתאריך ", "ב-",      "في ",        "在 ", "Op ",
};

constexpr HeaderName names[] = {
    // en
    {"From", HR::from},
    {"Sent", HR::date},
    {"Date", HR::date},
    {"To", HR::to},
    {"Cc", HR::cc},
    {"Subject", HR::subject},
    // fr
    {"De", HR::from},
    {"Envoyé", HR::date},
    {"Envoye", HR::date},
    {"À", HR::to},
    {"A", HR::to},
    {"Objet", HR::subject},
    {"Copie à", HR::cc},
    // de
    {"Von", HR::from},
    {"Gesendet", HR::date},
    {"Datum", HR::date},
    {"An", HR::to},
    {"Betreff", HR::subject},
    // es, pt
    {"Enviado el", HR::date},
    {"Enviado", HR::date},
    {"Fecha", HR::date},
    {"Para", HR::to},
    {"Asunto", HR::subject},
    {"Data", HR::date},
    {"Assunto", HR::subject},
    {"Enviada", HR::date},
    // it
    {"Da", HR::from},
    {"Inviato", HR::date},
    {"Oggetto", HR::subject},
    // nl
    {"Van", HR::from},
    {"Verzonden", HR::date},
    {"Aan", HR::to},
    {"Onderwerp", HR::subject},
    // sv
    {"Från", HR::from},
    {"Skickat", HR::date},
    {"Till", HR::to},
    {"Kopia", HR::cc},
    {"Ämne", HR::subject},
    // no, da
    {"Fra", HR::from},
    {"Sendt", HR::date},
    {"Dato", HR::date},
    {"Til", HR::to},
    {"Kopi", HR::cc},
    {"Emne", HR::subject},
    // fi
    {"Lähettäjä", HR::from},
    {"Lähetetty", HR::date},
    {"Päivämäärä", HR::date},
    {"Vastaanottaja", HR::to},
    {"Kopio", HR::cc},
    {"Aihe", HR::subject},
    // pl
    {"Od", HR::from},
    {"Wysłano", HR::date},
    {"Wysłane", HR::date},
    {"Wysłany", HR::date},
    {"Do", HR::to},
    {"DW", HR::cc},
    {"Temat", HR::subject},
    // cs
    {"Odesláno", HR::date},
    {"Komu", HR::to},
    {"Kopie", HR::cc},
    {"Předmět", HR::subject},
    // ru, uk
    {"От", HR::from},
    {"Отправлено", HR::date},
    {"Дата", HR::date},
    {"Кому", HR::to},
    {"Копия", HR::cc},
    {"Тема", HR::subject},
    {"Від", HR::from},
    {"Надіслано", HR::date},
    {"Копія", HR::cc},
    // tr
    {"Kimden", HR::from},
    {"Gönderildi", HR::date},
    {"Gönderilme", HR::date},
    {"Tarih", HR::date},
    {"Kime", HR::to},
    {"Bilgi", HR::cc},
    {"Konu", HR::subject},
    // el
    {"Από", HR::from},
    {"Στάλθηκε", HR::date},
    {"Ημερομηνία", HR::date},
    {"Προς", HR::to},
    {"Κοιν.", HR::cc},
    {"Θέμα", HR::subject},
    // he
    {"מאת", HR::from},
    {"נשלח", HR::date},
    {"תאריך", HR::date},
    {"אל", HR::to},
    {"עותק", HR::cc},
    {"נושא", HR::subject},
    // ar
    {"من", HR::from},
    {"تاريخ الإرسال", HR::date},
    {"أرسل", HR::date},
    {"التاريخ", HR::date},
    {"إلى", HR::to},
    {"نسخة", HR::cc},
    {"الموضوع", HR::subject},
    // zh (simplified, traditional)
    {"发件人", HR::from},
    {"发送时间", HR::date},
    {"日期", HR::date},
    {"收件人", HR::to},
    {"抄送", HR::cc},
    {"主题", HR::subject},
    {"寄件者", HR::from},
    {"寄件日期", HR::date},
    {"收件者", HR::to},
    {"副本", HR::cc},
    {"主旨", HR::subject},
    // ja
    {"差出人", HR::from},
    {"送信日時", HR::date},
    {"宛先", HR::to},
    {"件名", HR::subject},
    // ko
    {"보낸 사람", HR::from},
    {"보낸사람", HR::from},
    {"보낸 날짜", HR::date},
    {"날짜", HR::date},
    {"받는 사람", HR::to},
    {"받는사람", HR::to},
    {"참조", HR::cc},
    {"제목", HR::subject},
    // Beyond the 22: hu, ro, sk, hr, bg, ca, id, vi
    {"Feladó", HR::from},
    {"Elküldve", HR::date},
    {"Címzett", HR::to},
    {"Tárgy", HR::subject},
    {"De la", HR::from},
    {"Trimis", HR::date},
    {"Către", HR::to},
    {"Subiect", HR::subject},
    {"Odoslané", HR::date},
    {"Predmet", HR::subject},
    {"Šalje", HR::from},
    {"Poslano", HR::date},
    {"Prima", HR::to},
    {"Изпратено", HR::date},
    {"До", HR::to},
    {"Относно", HR::subject},
    {"Enviat", HR::date},
    {"Per a", HR::to},
    {"Assumpte", HR::subject},
    {"Dari", HR::from},
    {"Dikirim", HR::date},
    {"Kepada", HR::to},
    {"Perihal", HR::subject},
    {"Từ", HR::from},
    {"Đã gửi", HR::date},
    {"Đến", HR::to},
    {"Chủ đề", HR::subject},
};

constexpr std::string_view original[] = {
    "original message",
    "reply message",
    "ursprüngliche nachricht",
    "originalnachricht",
    "message d'origine",
    "message original",
    "mensaje original",
    "mensagem original",
    "messaggio originale",
    "oorspronkelijk bericht",
    "origineel bericht",
    "ursprungligt meddelande",
    "originalmeddelande",
    "opprinnelig melding",
    "oprindelig meddelelse",
    "alkuperäinen viesti",
    "wiadomość oryginalna",
    "oryginalna wiadomość",
    "původní zpráva",
    "Исходное сообщение",
    "Оригінальне повідомлення",
    "Вихідне повідомлення",
    "Özgün İleti",
    "Özgün ileti",
    "Orijinal ileti",
    "Orijinal mesaj",
    "Αρχικό μήνυμα",
    "הודעה מקורית",
    "الرسالة الأصلية",
    "原始邮件",
    "原始郵件",
    "元のメッセージ",
    "원본 메시지",
};

constexpr std::string_view forwarded[] = {
    "forwarded message",
    "forwarded by",
    "message transféré",
    "weitergeleitete nachricht",
    "mensaje reenviado",
    "mensagem encaminhada",
    "mensagem reencaminhada",
    "messaggio inoltrato",
    "doorgestuurd bericht",
    "vidarebefordrat meddelande",
    "videresendt melding",
    "videresendt meddelelse",
    "välitetty viesti",
    "przekazana wiadomość",
    "přeposlaná zpráva",
    "Пересылаемое сообщение",
    "Переслане повідомлення",
    "İletilen mesaj",
    "İletilen ileti",
    "Προωθημένο μήνυμα",
    "הודעה שהועברה",
    "الرسالة المُعاد توجيهها",
    "رسالة معاد توجيهها",
    "转发的邮件",
    "已轉寄郵件",
    "転送されたメッセージ",
    "전달된 메일",
    "전달된 메시지",
};

constexpr std::string_view intros[] = {
    "Begin forwarded message",
    "Anfang der weitergeleiteten Nachricht",
    "Début du message réexpédié",
    "Début du message transféré",
    "Inicio del mensaje reenviado",
    "Início da mensagem reencaminhada",
    "Início da mensagem encaminhada",
    "Inizio messaggio inoltrato",
    "Begin doorgestuurd bericht",
    "Vidarebefordrat brev",
    "Videresendt melding",
    "Videresendt besked",
    "Välitetty viesti alkaa",
    "Początek przekazanej wiadomości",
    "Začátek přeposlané zprávy",
    "Начало переадресованного сообщения",
    "Початок пересланого листа",
    "İletilen ileti başlangıcı",
    "Αρχή προωθημένου μηνύματος",
    "תחילת הודעה שהועברה",
    "بداية الرسالة المُعاد توجيهها",
    "以下是转发的邮件",
    "轉寄的郵件開始",
    "転送されたメッセージ",
    "전달된 메시지 시작",
};

constexpr std::string_view forward_prefixes[] = {
    "Fwd:",   "Fw:",          "TR:",   "WG:",   "RV:",   "ENC:",  "I:",      "Doorst:",
    "VB:",    "VS:",          "VL:",   "PD:",   "PŘ:",   "İLT:",  "ILT:",    "ΠΡΘ:",
    "הועבר:", "إعادة توجيه:", "转发:", "轉寄:", "転送:", "전달:", "Пересл:", "Переслати:",
};

constexpr SignatureLine signatures[] = {
    // en
    {"Sent from my ", ""},
    {"Sent from ", ""},
    {"Sent with ", ""},
    {"Sent using ", ""},
    {"Sent via ", ""},
    {"Get Outlook for ", ""},
    // fr
    {"Envoyé de mon ", ""},
    {"Envoyé depuis ", ""},
    {"Envoyé à partir de ", ""},
    {"Envoyé avec ", ""},
    {"Obtenir Outlook pour ", ""},
    // de
    {"Von meinem ", " gesendet"},
    {"Von ", " gesendet"},
    {"Gesendet von ", ""},
    {"Gesendet mit ", ""},
    {"Outlook für ", " beziehen"},
    // es
    {"Enviado desde ", ""},
    {"Obtener Outlook para ", ""},
    // pt
    {"Enviado do ", ""},
    {"Enviado de ", ""},
    {"Obter o Outlook para ", ""},
    // it
    {"Inviato da ", ""},
    {"Inviato dal ", ""},
    {"Ottieni Outlook per ", ""},
    // nl
    {"Verzonden vanaf ", ""},
    {"Verstuurd vanaf ", ""},
    {"Verzonden met ", ""},
    {"Verstuurd met ", ""},
    {"Outlook voor ", " downloaden"},
    // sv, no, da
    {"Skickat från ", ""},
    {"Hämta Outlook för ", ""},
    {"Sendt fra ", ""},
    {"Hent Outlook for ", ""},
    {"Hent Outlook til ", ""},
    // fi
    {"Lähetetty ", "sta"},
    {"Lähetetty ", "stä"},
    {"Hanki Outlook ", ""},
    // pl
    {"Wysłane z ", ""},
    {"Wysłano z ", ""},
    {"Wysłane przy użyciu ", ""},
    // cs
    {"Odesláno z ", ""},
    {"Odesláno ze ", ""},
    // ru, uk
    {"Отправлено с ", ""},
    {"Отправлено из ", ""},
    {"Надіслано з ", ""},
    {"Надіслано із ", ""},
    // tr
    {"", " gönderildi"},
    // el
    {"Στάλθηκε από ", ""},
    {"Εστάλη από ", ""},
    // he
    {"נשלח מ", ""},
    // ar
    {"أرسلت من ", ""},
    {"أُرسلت من ", ""},
    {"مرسل من ", ""},
    // zh
    {"发自我的", ""},
    {"从我的", "发送"},
    {"從我的", "傳送"},
    {"發自我的", ""},
    // ja
    {"", "から送信"},
    // ko
    {"", "에서 보냄"},
    // Beyond the 22: hu, ro, sk, hr, bg, ca, id, vi
    {"Elküldve ", ""},
    {"Trimis de pe ", ""},
    {"Odoslané z ", ""},
    {"Poslano s ", ""},
    {"Poslano sa ", ""},
    {"Изпратено от ", ""},
    {"Enviat des del ", ""},
    {"Dikirim dari ", ""},
    {"Được gửi từ ", ""},
};

}  // namespace

const std::span<const std::string_view> attribution_ends{ends};
const std::span<const std::string_view> attribution_verbs{verbs};
const std::span<const std::string_view> attribution_leads{leads};
const std::span<const HeaderName> header_names{names};
const std::span<const std::string_view> original_message{original};
const std::span<const std::string_view> forwarded_message{forwarded};
const std::span<const std::string_view> forward_intro{intros};
const std::span<const std::string_view> forward_subject{forward_prefixes};
const std::span<const SignatureLine> signature_lines{signatures};

}  // namespace forumgate::mime::patterns
