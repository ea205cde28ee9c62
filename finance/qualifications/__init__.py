"""An SME's recorded qualifications (科技型中小企业, 高新技术企业, 专精特新, 小巨人) with evidence and expiry."""
