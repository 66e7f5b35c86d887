"""Every number a form should hold: sums, rates, 执行率得分, indicator judgements, derived cells, profiles."""
