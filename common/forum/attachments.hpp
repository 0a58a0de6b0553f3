#pragma once
// Attachment files, stored as W-Agora stores them: a row in its attachment
// table, and the file under attachment_base/attachment_path named after the
// row's id. Only the allowed types and sizes, and bytes whose SHA-256 is
// the record's; the extension comes from the type, never from the sender.
// Each file is written and synced under a temporary name, renamed by the
// group once its rows are committed.

#include <cstdint>
#include <string>
#include <vector>

#include "forum/gateway.hpp"
#include "forum/group.hpp"
#include "post/record.hpp"

namespace forumgate::forum {

// An attachment stored: its file under attachment_path ("ID.NAME"), and
// the words that stand where the body showed it ("" when it did not).
struct StoredAttachment {
  std::string file;
  std::string placeholder;
};

// The attachments of record, for the post post_id: their rows written
// through group, their files added to files. A file that cannot be written
// throws: 75 for a full or failing disk, 73 otherwise, and the files this
// call wrote are removed. None in a dry run.
std::vector<StoredAttachment> store_attachments(const post::Record& record, std::uint64_t post_id, std::int64_t t,
                                                const GatewayOptions& o, Group& group, FileRenames& files);

// body (the post's HTML, as stored) with each stored inline image's
// placeholder made a link to its file under url ("URL/PATH/ID.NAME"), at
// each place: the n-th of the files that share a placeholder (the same
// file name) at its n-th place, the last at the places after. body when
// none is there.
std::string link_images(const std::string& body, const std::vector<StoredAttachment>& stored, const std::string& url,
                        const std::string& path, const std::string& charset);

}  // namespace forumgate::forum
