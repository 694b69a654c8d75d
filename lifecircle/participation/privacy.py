"""What participation holds about a person (see accounts/pipl.py): proposals and comments are
public contributions others answered, so they stay without their author; supports stay as counts;
letters to a representative are the person's own and are deleted, and so is what they follow."""
from lifecircle.accounts.pipl import DELETE, KEEP, register, register_actor_fields, register_not_personal

from .models import Comment, Follow, Proposal, Support, Thread, ThreadMessage

register(Proposal, links=("author",), on_erase=KEEP, detach=("author",))
register(Comment, links=("author",), on_erase=KEEP, detach=("author",))
register(Support, links=("resident",), on_erase=KEEP)
register(ThreadMessage, links=("thread__resident",), on_erase=DELETE)
register(Thread, links=("resident",), on_erase=DELETE)
register(Follow, links=("user",), on_erase=DELETE)
register_actor_fields(
    "the moderator, representative or staff member who acted; their accounts are kept with their records",
    "participation.Proposal.hidden_by", "participation.Comment.hidden_by", "participation.ModerationAction.moderator",
    "participation.FollowUp.author", "participation.Representative.user", "participation.ThreadMessage.author",
)
register_not_personal("about a proposal, not its author: moderation and follow-up are the process's record",
                      "participation.ModerationAction", "participation.FollowUp", "participation.FollowUpPhoto")
