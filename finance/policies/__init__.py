"""IP insurance policies: bound from an accepted application, the premium paid (bank transfer or Stripe), the
period, the sealed schedule, endorsements and cancellation with a pro-rata refund, and the insurer's book."""
