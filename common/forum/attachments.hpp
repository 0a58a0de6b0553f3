#pragma once
// Attachment files, stored as W-Agora stores them: a row in its attachment
// table, and the file under attachment_base/attachment_path named after the
// row's id. Only the allowed types and sizes, and bytes whose SHA-256 is
// the record's; the extension comes from the type, never from the sender.
// Each file is written and synced under a temporary name, renamed by the
// group once its rows are committed.

#include <cstdint>

#include "forum/gateway.hpp"
#include "forum/group.hpp"
#include "post/record.hpp"

namespace forumgate::forum {

// The attachments of record, for the post post_id: their rows written
// through group, their files added to files. A file that cannot be written
// throws: 75 for a full or failing disk, 73 otherwise, and the files this
// call wrote are removed.
void store_attachments(const post::Record& record, std::uint64_t post_id, std::int64_t t, const GatewayOptions& o,
                       Group& group, FileRenames& files);

}  // namespace forumgate::forum
