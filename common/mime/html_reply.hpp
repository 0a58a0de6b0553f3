#pragma once
// The quoted history and the signature of an HTML reply, found by the
// structure each client gives them, and cut out of the HTML before it is
// made text or sanitized:
//  - Gmail: div.gmail_attr, blockquote.gmail_quote, div.gmail_signature;
//  - Outlook and Exchange: #appendonsend, #divRplyFwdMsg (and the <hr>
//    before it), Word's header block (a div with a solid top border around
//    "From:"), Outlook for Mac's #OLK_SRC_BODY_SECTION, #Signature,
//    #ms-outlook-mobile-signature;
//  - Apple Mail: blockquote[type=cite] and the attribution above it,
//    #AppleMailSignature;
//  - Thunderbird: div.moz-cite-prefix, blockquote[type=cite],
//    .moz-signature;
//  - Yahoo: .yahoo_quoted, #ymail_android_signature; ProtonMail:
//    .protonmail_quote, .protonmail_signature_block; Zimbra: hr#zwchr,
//    [data-marker=__QUOTED_TEXT__], [data-marker=__SIG_PRE__]; Zoho:
//    .zmail_extra, .zmail_extra_hr.
// A quote is cut only when no text of the author's follows it (answers
// between quotes keep them); Outlook's and Zimbra's markers cut to the
// end. A forward ("---------- Forwarded message ---------", "Begin
// forwarded message:", an Outlook header block under a forward's subject)
// is never cut. Linear in the HTML; HTML nested too deep for a bounded
// parse is left as it is (found stays false).

#include <string>
#include <string_view>

namespace forumgate::mime {

struct HtmlReply {
  bool found = false;     // some client structure was recognized (even if nothing was cut)
  std::string html;       // the HTML without the quote and the signature
  std::string quoted;     // the quote's HTML, its pieces in order
  std::string signature;  // the signature's HTML
};

HtmlReply split_html_reply(std::string_view html, std::string_view subject = {});

}  // namespace forumgate::mime
