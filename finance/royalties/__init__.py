"""Running royalties: net-sales reports per period, the royalty due, invoices and reminders."""
