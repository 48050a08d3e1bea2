from orgs.management.base import FlowadminCommand
from orgs.reviews.services import DEADLINE_ACTOR, close_due_reviews


class Command(FlowadminCommand):
    help = (
        "Close every access review whose deadline has passed: report its unreviewed items to "
        "the person who started it, or remove them, as the review says (for cron; the Celery "
        'beat schedule runs the same). Logged with the actor "review" unless --actor is given.'
    )

    def handle(self, *args, **options):
        actor = self.actor if options["actor"] != "system" else DEADLINE_ACTOR
        closed = close_due_reviews(actor=actor)
        for closing in closed:
            self.stdout.write(
                f"{closing.review.org.slug}: closed {closing.review.name!r} — "
                f"{len(closing.unreviewed)} unreviewed, {len(closing.removed)} removed"
            )
        self.stdout.write(f"Closed {len(closed)} review{'' if len(closed) == 1 else 's'}.")
